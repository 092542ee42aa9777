/*
 * config.h - configuration from DNSAPI_* environment variables.
 *
 * An optional file named by DNSAPI_CONFIG holds KEY=VALUE lines with the same
 * keys; the environment wins over the file. Every value is checked when it is
 * loaded, and a problem is reported as one line naming the variable.
 */
#ifndef DNSAPI_COMMON_CONFIG_H
#define DNSAPI_COMMON_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "common/tsig_key.h"

#define DNSAPI_CONFIG_MAX_LIST 16
#define DNSAPI_NAME_MAX 256
#define DNSAPI_JWT_MAX_PREVIOUS 8

/* What a subcommand needs beyond the defaults; a missing required setting
 * is an error only when asked for. */
enum {
    DNSAPI_NEED_JWT = 1 << 0,         /* DNSAPI_JWT_SECRET */
    DNSAPI_NEED_NAMESERVERS = 1 << 1, /* DNSAPI_NAMESERVERS */
};

typedef struct {
    char host[DNSAPI_NAME_MAX]; /* address or name; IPv6 without brackets */
    uint16_t port;
} dnsapi_hostport_t;

/* DNSAPI_HTTP2: where HTTP/2 is spoken. */
enum {
    DNSAPI_HTTP2_OFF = 0, /* HTTP/1.1 only */
    DNSAPI_HTTP2_TLS = 1, /* over TLS, chosen by ALPN (the default) */
    DNSAPI_HTTP2_ALL = 2, /* also in cleartext (prior knowledge or Upgrade: h2c) */
};
/* One budget of DNSAPI_RATE_LIMIT: n requests per unit (1, 60 or 3600
 * seconds) with bursts of up to burst; burst 0: this budget is unlimited. */
typedef struct {
    uint32_t n;         /* requests per unit */
    uint32_t unit_s;    /* 1, 60 or 3600 */
    uint32_t burst;     /* the most requests at once; 0: unlimited */
    uint64_t period_ns; /* unit_s / n: one request's share of time */
} dnsapi_rate_t;

/* The budgets of DNSAPI_RATE_LIMIT. */
enum {
    DNSAPI_RATE_READ = 0, /* a token's GET and HEAD requests */
    DNSAPI_RATE_WRITE,    /* a token's other requests */
    DNSAPI_RATE_ADDRESS,  /* requests without a valid token, per client address */
    DNSAPI_RATE_BUDGETS
};

/* A name server zonegen checks: a name people know it by and where to ask. */
typedef struct {
    char name[DNSAPI_NAME_MAX]; /* absolute host name, e.g. "ns2.example.net." */
    dnsapi_hostport_t addr;     /* port 53 unless given */
} dnsapi_server_t;

typedef struct {
    char database_url[1024];
    dnsapi_hostport_t listen;
    int threads;
    char jwt_secret[512];
    size_t jwt_secret_len;
    /* Apex NS set for new zones: lowercase, absolute (trailing dot). */
    char nameservers[DNSAPI_CONFIG_MAX_LIST][DNSAPI_NAME_MAX];
    size_t n_nameservers;
    char hostmaster[DNSAPI_NAME_MAX]; /* SOA rname, absolute */
    uint32_t ttl_min, ttl_max;
    size_t max_body;
    size_t max_import_body; /* text/dns imports */
    unsigned db_timeout_ms; /* a database round that takes longer fails (503) */
    char cors_origins[DNSAPI_CONFIG_MAX_LIST][DNSAPI_NAME_MAX];
    size_t n_cors_origins;
    char zone_dir[1024];
    char ns_conf_nsd[1024], ns_conf_knot[1024], ns_conf_bind[1024];
    char reload_cmd[1024];
    dnsapi_hostport_t notify[DNSAPI_CONFIG_MAX_LIST];
    size_t n_notify;
    dnsapi_hostport_t verify[DNSAPI_CONFIG_MAX_LIST];
    size_t n_verify;
    /* A recursive resolver for the live delegation checks (numeric address:
     * the checks never use the system resolver); has_resolver 0: none. */
    dnsapi_hostport_t resolver;
    int has_resolver;
    /* DNSAPI_UPDATE_LISTEN: address:port of the DNS UPDATE listener (UDP
     * and TCP) of `dnsapi serve`; has_update_listen 0: off (the default). */
    dnsapi_hostport_t update_listen;
    int has_update_listen;
    /* DNSAPI_SECRETS_KEY: base64 of 32 bytes sealing TSIG secrets
     * (common/seal.h); empty: derived from DNSAPI_JWT_SECRET. */
    char secrets_key[128];
    int log_json; /* access log as JSON lines (always 1 for now) */
    /* operations: logging, key rotation, TLS, connections */
    int log_level; /* LOG_LEVEL_* (common/log.h), DNSAPI_LOG_LEVEL */
    struct {
        char secret[512];
        size_t len;
    } jwt_previous[DNSAPI_JWT_MAX_PREVIOUS]; /* DNSAPI_JWT_PREVIOUS_SECRETS */
    size_t n_jwt_previous;
    char tls_cert[1024], tls_key[1024]; /* both set or both empty */
    int http2;                          /* DNSAPI_HTTP2_* */
    int max_connections;                /* 0: derived from the descriptor limit */
    int header_timeout_ms, body_timeout_ms, idle_timeout_ms;
    /* DNSAPI_RATE_LIMIT, indexed by DNSAPI_RATE_*; has_rate_limit 0: off */
    dnsapi_rate_t rate[DNSAPI_RATE_BUDGETS];
    int has_rate_limit;

    /* ---- name servers, plural: read by zonegen ----------------------- */
    /* DNSAPI_CATALOG: the catalog zone (RFC 9432) zonegen keeps, absolute;
     * empty: none. */
    char catalog[DNSAPI_NAME_MAX];
    /* DNSAPI_SECONDARIES: NAME=ADDR[:PORT], comma-separated. */
    dnsapi_server_t secondaries[DNSAPI_CONFIG_MAX_LIST];
    size_t n_secondaries;
    /* DNSAPI_TSIG_KEY_FILE, and the key read from it (has_tsig_key). */
    char tsig_key_file[1024];
    int has_tsig_key;
    dnsapi_tsig_key_t tsig_key;
    /* DNSAPI_ZONES_ADD_CMD / DNSAPI_ZONES_DEL_CMD: run once per batch of
     * new or deleted zones with their names on stdin; empty: the includes
     * list every zone instead. */
    char zones_add_cmd[1024];
    char zones_del_cmd[1024];
    /* DNSAPI_ZONEGEN_METRICS_LISTEN: host:port of zonegen's /metrics. */
    int has_zonegen_metrics;
    dnsapi_hostport_t zonegen_metrics_listen;
} dnsapi_config_t;

/* Loads the configuration from the config file (if DNSAPI_CONFIG is set)
 * and the environment into cfg. need is a mask of DNSAPI_NEED_* bits.
 * Returns 0, or -1 with one line in errbuf naming the variable at fault. */
int dnsapi_config_load(dnsapi_config_t *cfg, unsigned need, char *errbuf, size_t errlen);

/* Help text listing every variable with its default, for --help. */
extern const char dnsapi_config_help[];

/* Parses "host:port", "[v6]:port" or "host" (port = default_port) into out.
 * Returns 0 or -1. */
int dnsapi_hostport_parse(const char *text, uint16_t default_port, dnsapi_hostport_t *out);

/* Parses a DNSAPI_RATE_LIMIT value ("off", "" or budgets such as
 * "read=20/s:40,write=5/s:10,address=10/s:20") into rate[DNSAPI_RATE_BUDGETS]
 * and *on. Returns 0, or -1 with one line in errbuf naming the variable. */
int dnsapi_rate_limit_parse(const char *text, dnsapi_rate_t *rate, int *on, char *errbuf,
                            size_t errlen);

/* The name of a budget ("read", "write", "address"). */
const char *dnsapi_rate_budget_name(int budget);

/* Parses a duration: plain seconds, or a number with s/m/h/d/w suffix
 * ("90d"). Returns 0 and sets *out, or -1. */
int dnsapi_duration_parse(const char *text, int64_t *out);

#endif
