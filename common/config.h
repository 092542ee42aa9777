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

#define DNSAPI_CONFIG_MAX_LIST 16
#define DNSAPI_NAME_MAX 256

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
    int log_json; /* access log as JSON lines (always 1 for now) */
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

/* Parses a duration: plain seconds, or a number with s/m/h/d/w suffix
 * ("90d"). Returns 0 and sets *out, or -1. */
int dnsapi_duration_parse(const char *text, int64_t *out);

#endif
