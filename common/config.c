/* config.c - every DNSAPI_* setting is read and checked here, in one place, so
 * that --help, the errors and the defaults cannot drift apart; that is why it
 * runs past 600 lines. */
#include "common/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

const char dnsapi_config_help[] =
    "Environment (a file named by DNSAPI_CONFIG may set the same KEY=VALUE lines):\n"
    "  DNSAPI_DATABASE_URL   libpq connection string         [postgresql:///dnsapi]\n"
    "  DNSAPI_LISTEN         host:port of the API             [127.0.0.1:8080]\n"
    "  DNSAPI_THREADS        event-loop threads               [number of cores]\n"
    "  DNSAPI_JWT_SECRET     HS256 key for tokens, >= 32 bytes [required]\n"
    "  DNSAPI_NAMESERVERS    apex NS set for new zones, comma-separated [required]\n"
    "  DNSAPI_HOSTMASTER     SOA rname                        [hostmaster.<first NS domain>]\n"
    "  DNSAPI_TTL_MIN        smallest TTL accepted            [60]\n"
    "  DNSAPI_TTL_MAX        largest TTL accepted             [604800]\n"
    "  DNSAPI_MAX_BODY       request body limit in bytes      [1048576]\n"
    "  DNSAPI_MAX_IMPORT_BODY body limit of a master-file import, bytes [33554432]\n"
    "  DNSAPI_DB_TIMEOUT     a database round taking longer fails with 503 [10s]\n"
    "  DNSAPI_CORS_ORIGINS   allowed browser origins, comma-separated [none]\n"
    "  DNSAPI_ZONE_DIR       where zonegen writes master files [var/zones]\n"
    "  DNSAPI_NS_CONF        include files to keep: nsd:PATH,knot:PATH,bind:PATH [none]\n"
    "  DNSAPI_RELOAD_CMD     command per changed zone, {zone} and {file} substituted [none]\n"
    "  DNSAPI_NOTIFY         secondaries to NOTIFY, addr[:port], comma-separated [none]\n"
    "  DNSAPI_VERIFY         servers asked for the SOA, addr[:port], comma-separated [none]\n"
    "  DNSAPI_LOG_LEVEL      error, warn, info or debug       [info]\n"
    "  DNSAPI_JWT_PREVIOUS_SECRETS  former token keys that still verify, comma-separated [none]\n"
    "  DNSAPI_TLS_CERT       PEM certificate chain: serve HTTPS [none: plain HTTP]\n"
    "  DNSAPI_TLS_KEY        PEM private key of DNSAPI_TLS_CERT [none]\n"
    "  DNSAPI_HTTP2          off, tls (HTTP/2 by ALPN) or all (also cleartext h2c) [tls]\n"
    "  DNSAPI_MAX_CONNECTIONS  open client connections at most; more get 503 [from LimitNOFILE]\n"
    "  DNSAPI_HEADER_TIMEOUT seconds to receive a request's headers [10]\n"
    "  DNSAPI_BODY_TIMEOUT   seconds to receive a request's body [30]\n"
    "  DNSAPI_IDLE_TIMEOUT   seconds a kept-alive connection may wait for a request [60]\n"
    "  DNSAPI_RATE_LIMIT     request budgets, BUDGET=N/UNIT[:BURST] comma-separated, UNIT\n"
    "                        s, m or h, BURST [N]: read (a token's GETs), write (a\n"
    "                        token's other requests), address (requests without a\n"
    "                        valid token, per client address); an omitted budget is\n"
    "                        unlimited; over budget: 429 rate_limited. E.g.\n"
    "                        read=20/s:40,write=5/s:10,address=10/s:20   [off]\n"
    /* name servers, plural (zonegen) */
    "  DNSAPI_CATALOG        catalog zone (RFC 9432) zonegen keeps, e.g.\n"
    "                        catalog.dnsapi.invalid                           [none]\n"
    "  DNSAPI_SECONDARIES    secondaries, NAME=ADDR[:PORT], comma-separated:  [none]\n"
    "                        allowed to transfer, sent NOTIFY, checked for the SOA\n"
    "  DNSAPI_TSIG_KEY_FILE  TSIG key (hmac-sha256) for transfers and NOTIFY, as\n"
    "                        tsig-keygen or keymgr -t print it                [none]\n"
    "  DNSAPI_ZONES_ADD_CMD  command run per batch of new zones, names on stdin;\n"
    "                        the includes then list no zones (e.g. nsd-control addzones) [none]\n"
    "  DNSAPI_ZONES_DEL_CMD  command run per batch of deleted zones, names on stdin [none]\n"
    "  DNSAPI_ZONEGEN_METRICS_LISTEN  host:port of zonegen's Prometheus /metrics [none]\n"
    "  DNSAPI_RESOLVER       recursive resolver for delegation checks, IP[:port] [none]\n"
    "  DNSAPI_UPDATE_LISTEN  IP:port of the DNS UPDATE listener (UDP and TCP)  [none: off]\n"
    "  DNSAPI_SECRETS_KEY    base64 of 32 bytes sealing stored TSIG secrets\n"
    "                        [derived from DNSAPI_JWT_SECRET]\n";

/* Values read from the config file; the environment overrides them. */
typedef struct {
    char key[64];
    char *value;
} file_kv_t;

typedef struct {
    file_kv_t kv[64];
    size_t n;
} file_conf_t;

static void file_conf_free(file_conf_t *fc)
{
    for (size_t i = 0; i < fc->n; i++) {
        free(fc->kv[i].value);
    }
    fc->n = 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) {
        s++;
    }
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1])) {
        s[--len] = '\0';
    }
    return s;
}

static int file_conf_read(file_conf_t *fc, const char *path, char *errbuf, size_t errlen)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        snprintf(errbuf, errlen, "DNSAPI_CONFIG: cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    char line[2048];
    int lineno = 0;
    while (fgets(line, sizeof(line), fp) != NULL) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#') {
            continue;
        }
        char *eq = strchr(s, '=');
        if (eq == NULL || strncmp(s, "DNSAPI_", 7) != 0 || fc->n == 64) {
            snprintf(errbuf, errlen, "DNSAPI_CONFIG: %s line %d: expected DNSAPI_KEY=VALUE", path,
                     lineno);
            fclose(fp);
            return -1;
        }
        *eq = '\0';
        char *key = trim(s);
        char *value = trim(eq + 1);
        size_t vlen = strlen(value);
        if (vlen >= 2 && (value[0] == '"' || value[0] == '\'') && value[vlen - 1] == value[0]) {
            value[vlen - 1] = '\0';
            value++;
        }
        snprintf(fc->kv[fc->n].key, sizeof(fc->kv[fc->n].key), "%s", key);
        fc->kv[fc->n].value = strdup(value);
        if (fc->kv[fc->n].value == NULL) {
            fclose(fp);
            snprintf(errbuf, errlen, "DNSAPI_CONFIG: out of memory");
            return -1;
        }
        fc->n++;
    }
    fclose(fp);
    return 0;
}

static const char *lookup(const file_conf_t *fc, const char *key)
{
    const char *v = getenv(key);
    if (v != NULL) {
        return v;
    }
    for (size_t i = fc->n; i > 0; i--) {
        if (strcmp(fc->kv[i - 1].key, key) == 0) {
            return fc->kv[i - 1].value;
        }
    }
    return NULL;
}

static int parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    if (text == NULL || !isdigit((unsigned char)text[0])) {
        return -1;
    }
    errno = 0;
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

int dnsapi_hostport_parse(const char *text, uint16_t default_port, dnsapi_hostport_t *out)
{
    const char *host = text, *port = NULL;
    size_t hostlen;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (close == NULL) {
            return -1;
        }
        host = text + 1;
        hostlen = (size_t)(close - host);
        if (close[1] == ':') {
            port = close + 2;
        } else if (close[1] != '\0') {
            return -1;
        }
    } else {
        const char *colon = strchr(text, ':');
        if (colon != NULL && strchr(colon + 1, ':') != NULL) {
            hostlen = strlen(text); /* bare IPv6 address, no port */
        } else if (colon != NULL) {
            hostlen = (size_t)(colon - text);
            port = colon + 1;
        } else {
            hostlen = strlen(text);
        }
    }
    if (hostlen == 0 || hostlen >= sizeof(out->host)) {
        return -1;
    }
    memcpy(out->host, host, hostlen);
    out->host[hostlen] = '\0';
    for (size_t i = 0; i < hostlen; i++) {
        unsigned char c = (unsigned char)out->host[i];
        if (!(isalnum(c) || c == '.' || c == '-' || c == ':' || c == '_')) {
            return -1;
        }
    }
    uint64_t p = default_port;
    if (port != NULL && parse_u64(port, 1, 65535, &p) != 0) {
        return -1;
    }
    out->port = (uint16_t)p;
    return 0;
}

int dnsapi_duration_parse(const char *text, int64_t *out)
{
    if (text == NULL || !isdigit((unsigned char)text[0])) {
        return -1;
    }
    errno = 0;
    char *end;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || v < 0) {
        return -1;
    }
    long long mult = 1;
    if (*end != '\0') {
        switch (*end) {
        case 's':
            mult = 1;
            break;
        case 'm':
            mult = 60;
            break;
        case 'h':
            mult = 3600;
            break;
        case 'd':
            mult = 86400;
            break;
        case 'w':
            mult = 604800;
            break;
        default:
            return -1;
        }
        if (end[1] != '\0') {
            return -1;
        }
    }
    if (v > (long long)(INT64_MAX / 604800)) {
        return -1;
    }
    *out = v * mult;
    return 0;
}

/* Checks a host name and writes it lowercase with a trailing dot. */
static int hostname_normalize(const char *in, size_t len, char *out, size_t outlen)
{
    while (len > 0 && isspace((unsigned char)in[0])) {
        in++, len--;
    }
    while (len > 0 && isspace((unsigned char)in[len - 1])) {
        len--;
    }
    if (len > 0 && in[len - 1] == '.') {
        len--;
    }
    if (len == 0 || len > 253 || len + 2 > outlen) {
        return -1;
    }
    size_t label = 0, labels = 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '.') {
            if (label == 0) {
                return -1;
            }
            label = 0;
            labels++;
        } else if (isalnum(c) || c == '-' || c == '_') {
            if (++label > 63) {
                return -1;
            }
        } else {
            return -1;
        }
        out[i] = (char)tolower(c);
    }
    if (label == 0 || labels < 2) {
        return -1;
    }
    out[len] = '.';
    out[len + 1] = '\0';
    return 0;
}

typedef int (*item_fn)(const char *item, size_t len, void *ctx, size_t index);

/* Splits a comma-separated list and calls fn on each non-empty item. */
static int split_list(const char *text, item_fn fn, void *ctx, size_t max, size_t *count)
{
    size_t n = 0;
    const char *p = text;
    while (*p != '\0') {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len > 0 && isspace((unsigned char)*p)) {
            p++, len--;
        }
        while (len > 0 && isspace((unsigned char)p[len - 1])) {
            len--;
        }
        if (len > 0) {
            if (n == max || fn(p, len, ctx, n) != 0) {
                return -1;
            }
            n++;
        }
        if (comma == NULL) {
            break;
        }
        p = comma + 1;
    }
    *count = n;
    return 0;
}

static int ns_item(const char *item, size_t len, void *ctx, size_t index)
{
    dnsapi_config_t *cfg = ctx;
    return hostname_normalize(item, len, cfg->nameservers[index], sizeof(cfg->nameservers[index]));
}

static int origin_item(const char *item, size_t len, void *ctx, size_t index)
{
    dnsapi_config_t *cfg = ctx;
    if (len >= sizeof(cfg->cors_origins[index])) {
        return -1;
    }
    if (!(len == 1 && item[0] == '*') && strncmp(item, "http://", 7) != 0 &&
        strncmp(item, "https://", 8) != 0) {
        return -1;
    }
    memcpy(cfg->cors_origins[index], item, len);
    cfg->cors_origins[index][len] = '\0';
    return 0;
}

typedef struct {
    dnsapi_hostport_t *list;
} hp_ctx_t;

static int hostport_item(const char *item, size_t len, void *ctx, size_t index)
{
    hp_ctx_t *hc = ctx;
    char buf[DNSAPI_NAME_MAX + 8];
    if (len >= sizeof(buf)) {
        return -1;
    }
    memcpy(buf, item, len);
    buf[len] = '\0';
    return dnsapi_hostport_parse(buf, 53, &hc->list[index]);
}

static int ns_conf_item(const char *item, size_t len, void *ctx, size_t index)
{
    dnsapi_config_t *cfg = ctx;
    const char *colon = memchr(item, ':', len);
    if (colon == NULL || colon + 1 == item + len) {
        return -1;
    }
    size_t klen = (size_t)(colon - item), plen = len - klen - 1;
    char *dst;
    if (klen == 3 && memcmp(item, "nsd", 3) == 0) {
        dst = cfg->ns_conf_nsd;
    } else if (klen == 4 && memcmp(item, "knot", 4) == 0) {
        dst = cfg->ns_conf_knot;
    } else if (klen == 4 && memcmp(item, "bind", 4) == 0) {
        dst = cfg->ns_conf_bind;
    } else {
        return -1;
    }
    if (plen >= 1024) {
        return -1;
    }
    memcpy(dst, colon + 1, plen);
    dst[plen] = '\0';
    return 0;
}

static int previous_secret_item(const char *item, size_t len, void *ctx, size_t index)
{
    dnsapi_config_t *cfg = ctx;
    if (len < 32 || len >= sizeof(cfg->jwt_previous[index].secret)) {
        return -1;
    }
    memcpy(cfg->jwt_previous[index].secret, item, len);
    cfg->jwt_previous[index].secret[len] = '\0';
    cfg->jwt_previous[index].len = len;
    return 0;
}

/* Reads a timeout in seconds (duration syntax, 1 s to 1 h) into *ms. */
static int timeout_parse(const char *v, int default_s, int *ms)
{
    int64_t s = default_s;
    if (v != NULL && *v != '\0' && (dnsapi_duration_parse(v, &s) != 0 || s < 1 || s > 3600)) {
        return -1;
    }
    *ms = (int)(s * 1000);
    return 0;
}

/* ---- DNSAPI_RATE_LIMIT -------------------------------------------------- */

static const char *const rate_budget_names[DNSAPI_RATE_BUDGETS] = {"read", "write", "address"};

const char *dnsapi_rate_budget_name(int budget)
{
    return budget >= 0 && budget < DNSAPI_RATE_BUDGETS ? rate_budget_names[budget] : "?";
}

#define RATE_MAX 1000000u
#define RATE_EXAMPLE "e.g. read=20/s:40,write=5/s:10,address=10/s:20, or off"

/* One BUDGET=N/UNIT[:BURST] item of DNSAPI_RATE_LIMIT; the burst defaults
 * to N. Writes its own message into errbuf. */
static int rate_item_parse(const char *item, size_t len, dnsapi_rate_t *rate, char *errbuf,
                           size_t errlen)
{
    char buf[96];
    if (len >= sizeof(buf)) {
        snprintf(errbuf, errlen, "DNSAPI_RATE_LIMIT: '%.40s...' is too long (" RATE_EXAMPLE ")",
                 item);
        return -1;
    }
    memcpy(buf, item, len);
    buf[len] = '\0';
    char *eq = strchr(buf, '=');
    if (eq == NULL) {
        snprintf(errbuf, errlen,
                 "DNSAPI_RATE_LIMIT: '%s' is not BUDGET=N/UNIT[:BURST] (" RATE_EXAMPLE ")", buf);
        return -1;
    }
    *eq = '\0';
    char *name = trim(buf), *spec = trim(eq + 1);
    int b = -1;
    for (int i = 0; i < DNSAPI_RATE_BUDGETS; i++) {
        if (strcmp(name, rate_budget_names[i]) == 0) {
            b = i;
        }
    }
    if (b < 0) {
        snprintf(errbuf, errlen,
                 "DNSAPI_RATE_LIMIT: unknown budget '%s'; the budgets are read (a token's GET "
                 "and HEAD requests), write (a token's other requests) and address (requests "
                 "without a valid token, per client address)",
                 name);
        return -1;
    }
    if (rate[b].burst != 0) {
        snprintf(errbuf, errlen, "DNSAPI_RATE_LIMIT: budget '%s' is given twice", name);
        return -1;
    }
    char *slash = strchr(spec, '/'), *colon = strchr(spec, ':');
    uint64_t n = 0, burst = 0;
    if (slash != NULL) {
        *slash = '\0';
    }
    if (colon != NULL) {
        *colon = '\0';
    }
    const char *unit = slash != NULL ? slash + 1 : "";
    uint32_t unit_s = strcmp(unit, "s") == 0   ? 1
                      : strcmp(unit, "m") == 0 ? 60
                      : strcmp(unit, "h") == 0 ? 3600
                                               : 0;
    if (slash == NULL || (colon != NULL && colon < slash) || unit_s == 0 ||
        parse_u64(spec, 1, RATE_MAX, &n) != 0) {
        snprintf(errbuf, errlen,
                 "DNSAPI_RATE_LIMIT: budget '%s' needs a rate of N/s, N/m or N/h with N from 1 "
                 "to %u, then optionally :BURST (" RATE_EXAMPLE ")",
                 name, RATE_MAX);
        return -1;
    }
    burst = n;
    if (colon != NULL && parse_u64(colon + 1, 1, RATE_MAX, &burst) != 0) {
        snprintf(errbuf, errlen,
                 "DNSAPI_RATE_LIMIT: the burst of budget '%s' is not a number from 1 to %u "
                 "(the most requests allowed at once, e.g. read=20/s:40)",
                 name, RATE_MAX);
        return -1;
    }
    rate[b] = (dnsapi_rate_t){.n = (uint32_t)n,
                              .unit_s = unit_s,
                              .burst = (uint32_t)burst,
                              .period_ns = (uint64_t)unit_s * 1000000000ull / n};
    return 0;
}

int dnsapi_rate_limit_parse(const char *text, dnsapi_rate_t *rate, int *on, char *errbuf,
                            size_t errlen)
{
    memset(rate, 0, sizeof(*rate) * DNSAPI_RATE_BUDGETS);
    *on = 0;
    if (text == NULL || *text == '\0' || strcmp(text, "off") == 0) {
        return 0;
    }
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (rate_item_parse(p, len, rate, errbuf, errlen) != 0) {
            memset(rate, 0, sizeof(*rate) * DNSAPI_RATE_BUDGETS);
            return -1;
        }
        if (comma == NULL) {
            break;
        }
        p = comma + 1;
    }
    *on = 1;
    return 0;
}

/* ---- name servers, plural: secondaries, TSIG key, catalog, zonegen ---- */

/* NAME=ADDR[:PORT]: the name is a host name (made absolute), the address
 * what zonegen asks and the servers' ACLs name. */
static int server_item(const char *item, size_t len, void *ctx, size_t index)
{
    dnsapi_server_t *list = ctx;
    const char *eq = memchr(item, '=', len);
    if (eq == NULL || eq == item) {
        return -1;
    }
    if (hostname_normalize(item, (size_t)(eq - item), list[index].name, sizeof(list[index].name)) !=
        0) {
        return -1;
    }
    char buf[DNSAPI_NAME_MAX + 8];
    size_t alen = len - (size_t)(eq + 1 - item);
    if (alen == 0 || alen >= sizeof(buf)) {
        return -1;
    }
    memcpy(buf, eq + 1, alen);
    buf[alen] = '\0';
    if (dnsapi_hostport_parse(buf, 53, &list[index].addr) != 0) {
        return -1;
    }
    /* The name servers' transfer ACLs take addresses, not names. */
    unsigned char bin[16];
    return inet_pton(AF_INET, list[index].addr.host, bin) == 1 ||
                   inet_pton(AF_INET6, list[index].addr.host, bin) == 1
               ? 0
               : -1;
}

/* Shell commands may hold anything but must fit. */
static int command_copy(const char *v, char *dst, size_t cap)
{
    if (v == NULL) {
        dst[0] = '\0';
        return 0;
    }
    if (strlen(v) >= cap) {
        return -1;
    }
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

static int fleet_load(const file_conf_t *fc, dnsapi_config_t *cfg, char *errbuf, size_t errlen)
{
    const char *v = lookup(fc, "DNSAPI_CATALOG");
    if (v != NULL && *v != '\0' &&
        hostname_normalize(v, strlen(v), cfg->catalog, sizeof(cfg->catalog)) != 0) {
        snprintf(errbuf, errlen,
                 "DNSAPI_CATALOG: '%s' is not a zone name (e.g. catalog.dnsapi.invalid)", v);
        return -1;
    }
    v = lookup(fc, "DNSAPI_SECONDARIES");
    if (v != NULL && *v != '\0' &&
        split_list(v, server_item, cfg->secondaries, DNSAPI_CONFIG_MAX_LIST, &cfg->n_secondaries) !=
            0) {
        snprintf(errbuf, errlen,
                 "DNSAPI_SECONDARIES: '%s' is not a comma-separated list of at most %d "
                 "NAME=ADDR[:PORT] with an IP address (e.g. "
                 "ns2.example.net=192.0.2.2,ns3.example.net=[2001:db8::3]:5353)",
                 v, DNSAPI_CONFIG_MAX_LIST);
        return -1;
    }
    for (size_t i = 0; i < cfg->n_secondaries; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(cfg->secondaries[i].name, cfg->secondaries[j].name) == 0) {
                snprintf(errbuf, errlen, "DNSAPI_SECONDARIES: %s is listed twice",
                         cfg->secondaries[i].name);
                return -1;
            }
        }
    }
    v = lookup(fc, "DNSAPI_TSIG_KEY_FILE");
    if (v != NULL && *v != '\0') {
        char msg[600];
        if (command_copy(v, cfg->tsig_key_file, sizeof(cfg->tsig_key_file)) != 0 ||
            dnsapi_tsig_key_load(v, &cfg->tsig_key, msg, sizeof(msg)) != 0) {
            snprintf(errbuf, errlen, "DNSAPI_TSIG_KEY_FILE: %s",
                     cfg->tsig_key_file[0] ? msg : "path too long");
            return -1;
        }
        cfg->has_tsig_key = 1;
    }
    if (command_copy(lookup(fc, "DNSAPI_ZONES_ADD_CMD"), cfg->zones_add_cmd,
                     sizeof(cfg->zones_add_cmd)) != 0 ||
        command_copy(lookup(fc, "DNSAPI_ZONES_DEL_CMD"), cfg->zones_del_cmd,
                     sizeof(cfg->zones_del_cmd)) != 0) {
        snprintf(errbuf, errlen, "DNSAPI_ZONES_ADD_CMD / DNSAPI_ZONES_DEL_CMD: longer than %zu",
                 sizeof(cfg->zones_add_cmd) - 1);
        return -1;
    }
    if ((cfg->zones_add_cmd[0] == '\0') != (cfg->zones_del_cmd[0] == '\0')) {
        snprintf(errbuf, errlen,
                 "%s: set together with %s (zones added by one must be deleted by the other)",
                 cfg->zones_add_cmd[0] ? "DNSAPI_ZONES_ADD_CMD" : "DNSAPI_ZONES_DEL_CMD",
                 cfg->zones_add_cmd[0] ? "DNSAPI_ZONES_DEL_CMD" : "DNSAPI_ZONES_ADD_CMD");
        return -1;
    }
    v = lookup(fc, "DNSAPI_ZONEGEN_METRICS_LISTEN");
    if (v != NULL && *v != '\0') {
        if (dnsapi_hostport_parse(v, 9153, &cfg->zonegen_metrics_listen) != 0) {
            snprintf(errbuf, errlen,
                     "DNSAPI_ZONEGEN_METRICS_LISTEN: '%s' is not host:port (e.g. 127.0.0.1:9153)",
                     v);
            return -1;
        }
        cfg->has_zonegen_metrics = 1;
    }
    return 0;
}

/* ---- end of name servers, plural ---- */

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(errbuf, errlen, __VA_ARGS__);                                                     \
        goto fail;                                                                                 \
    } while (0)

/* The operational settings: log level, previous token keys, TLS, HTTP/2,
 * connection limits and timeouts. */
static int config_load_ops(dnsapi_config_t *cfg, const file_conf_t *fc, char *errbuf, size_t errlen)
{
    const char *v;
    uint64_t u;

    v = lookup(fc, "DNSAPI_LOG_LEVEL");
    cfg->log_level = 2; /* LOG_LEVEL_INFO */
    if (v != NULL && *v != '\0') {
        static const char *const names[] = {"error", "warn", "info", "debug"};
        cfg->log_level = -1;
        for (int i = 0; i < 4; i++) {
            if (strcmp(v, names[i]) == 0) {
                cfg->log_level = i;
            }
        }
        if (cfg->log_level < 0) {
            FAIL("DNSAPI_LOG_LEVEL: '%s' is not one of error, warn, info, debug", v);
        }
    }

    v = lookup(fc, "DNSAPI_JWT_PREVIOUS_SECRETS");
    if (v != NULL && *v != '\0' &&
        split_list(v, previous_secret_item, cfg, DNSAPI_JWT_MAX_PREVIOUS, &cfg->n_jwt_previous) !=
            0) {
        FAIL("DNSAPI_JWT_PREVIOUS_SECRETS: not a comma-separated list of at most %d secrets of "
             "32 to 511 bytes each",
             DNSAPI_JWT_MAX_PREVIOUS);
    }

    const char *cert = lookup(fc, "DNSAPI_TLS_CERT"), *key = lookup(fc, "DNSAPI_TLS_KEY");
    bool has_cert = cert != NULL && *cert != '\0', has_key = key != NULL && *key != '\0';
    if (has_cert != has_key) {
        FAIL("%s: set together with %s, or neither",
             has_cert ? "DNSAPI_TLS_KEY" : "DNSAPI_TLS_CERT",
             has_cert ? "DNSAPI_TLS_CERT" : "DNSAPI_TLS_KEY");
    }
    if (has_cert &&
        (strlen(cert) >= sizeof(cfg->tls_cert) || strlen(key) >= sizeof(cfg->tls_key))) {
        FAIL("DNSAPI_TLS_CERT: path longer than %zu characters", sizeof(cfg->tls_cert) - 1);
    }
    snprintf(cfg->tls_cert, sizeof(cfg->tls_cert), "%s", has_cert ? cert : "");
    snprintf(cfg->tls_key, sizeof(cfg->tls_key), "%s", has_key ? key : "");

    v = lookup(fc, "DNSAPI_HTTP2");
    cfg->http2 = DNSAPI_HTTP2_TLS;
    if (v != NULL && *v != '\0') {
        if (strcmp(v, "off") == 0) {
            cfg->http2 = DNSAPI_HTTP2_OFF;
        } else if (strcmp(v, "tls") == 0) {
            cfg->http2 = DNSAPI_HTTP2_TLS;
        } else if (strcmp(v, "all") == 0) {
            cfg->http2 = DNSAPI_HTTP2_ALL;
        } else {
            FAIL("DNSAPI_HTTP2: '%s' is not off, tls or all", v);
        }
    }

    v = lookup(fc, "DNSAPI_MAX_CONNECTIONS");
    if (v != NULL && *v != '\0') {
        if (parse_u64(v, 1, 1000000, &u) != 0) {
            FAIL("DNSAPI_MAX_CONNECTIONS: '%s' is not a number from 1 to 1000000", v);
        }
        cfg->max_connections = (int)u;
    }

    v = lookup(fc, "DNSAPI_HEADER_TIMEOUT");
    if (timeout_parse(v, 10, &cfg->header_timeout_ms) != 0) {
        FAIL("DNSAPI_HEADER_TIMEOUT: '%s' is not a duration from 1s to 1h", v);
    }
    v = lookup(fc, "DNSAPI_BODY_TIMEOUT");
    if (timeout_parse(v, 30, &cfg->body_timeout_ms) != 0) {
        FAIL("DNSAPI_BODY_TIMEOUT: '%s' is not a duration from 1s to 1h", v);
    }
    v = lookup(fc, "DNSAPI_IDLE_TIMEOUT");
    if (timeout_parse(v, 60, &cfg->idle_timeout_ms) != 0) {
        FAIL("DNSAPI_IDLE_TIMEOUT: '%s' is not a duration from 1s to 1h", v);
    }
    if (dnsapi_rate_limit_parse(lookup(fc, "DNSAPI_RATE_LIMIT"), cfg->rate, &cfg->has_rate_limit,
                                errbuf, errlen) != 0) {
        goto fail;
    }
    return 0;
fail:
    return -1;
}

int dnsapi_config_load(dnsapi_config_t *cfg, unsigned need, char *errbuf, size_t errlen)
{
    file_conf_t fc = {.n = 0};
    const char *v;
    uint64_t u;
    size_t n;

    memset(cfg, 0, sizeof(*cfg));
    cfg->log_json = 1;
    if ((v = getenv("DNSAPI_CONFIG")) != NULL && *v != '\0' &&
        file_conf_read(&fc, v, errbuf, errlen) != 0) {
        goto fail;
    }

    v = lookup(&fc, "DNSAPI_DATABASE_URL");
    snprintf(cfg->database_url, sizeof(cfg->database_url), "%s",
             v && *v ? v : "postgresql:///dnsapi");
    if (v != NULL && strlen(v) >= sizeof(cfg->database_url)) {
        FAIL("DNSAPI_DATABASE_URL: longer than %zu characters", sizeof(cfg->database_url) - 1);
    }

    v = lookup(&fc, "DNSAPI_LISTEN");
    if (dnsapi_hostport_parse(v && *v ? v : "127.0.0.1:8080", 8080, &cfg->listen) != 0) {
        FAIL("DNSAPI_LISTEN: '%s' is not host:port (e.g. 127.0.0.1:8080)", v);
    }

    v = lookup(&fc, "DNSAPI_THREADS");
    if (v != NULL && *v != '\0') {
        if (parse_u64(v, 1, 256, &u) != 0) {
            FAIL("DNSAPI_THREADS: '%s' is not a number from 1 to 256", v);
        }
        cfg->threads = (int)u;
    } else {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        cfg->threads = cores > 0 ? (int)(cores > 256 ? 256 : cores) : 1;
    }

    v = lookup(&fc, "DNSAPI_JWT_SECRET");
    if (v != NULL && *v != '\0') {
        size_t len = strlen(v);
        if (len < 32) {
            FAIL("DNSAPI_JWT_SECRET: too short (%zu bytes); use at least 32 random bytes, e.g. "
                 "openssl rand -hex 32",
                 len);
        }
        if (len >= sizeof(cfg->jwt_secret)) {
            FAIL("DNSAPI_JWT_SECRET: longer than %zu bytes", sizeof(cfg->jwt_secret) - 1);
        }
        memcpy(cfg->jwt_secret, v, len + 1);
        cfg->jwt_secret_len = len;
    } else if (need & DNSAPI_NEED_JWT) {
        FAIL("DNSAPI_JWT_SECRET: not set; set it to at least 32 random bytes, e.g. "
             "openssl rand -hex 32");
    }

    v = lookup(&fc, "DNSAPI_NAMESERVERS");
    if (v != NULL && *v != '\0') {
        if (split_list(v, ns_item, cfg, DNSAPI_CONFIG_MAX_LIST, &cfg->n_nameservers) != 0) {
            FAIL("DNSAPI_NAMESERVERS: '%s' is not a comma-separated list of at most %d host "
                 "names (e.g. ns1.example.net,ns2.example.net)",
                 v, DNSAPI_CONFIG_MAX_LIST);
        }
    }
    if (cfg->n_nameservers == 0 && (need & DNSAPI_NEED_NAMESERVERS)) {
        FAIL("DNSAPI_NAMESERVERS: not set; list the name servers for new zones, e.g. "
             "ns1.example.net,ns2.example.net");
    }

    v = lookup(&fc, "DNSAPI_HOSTMASTER");
    if (v != NULL && *v != '\0') {
        char tmp[DNSAPI_NAME_MAX];
        snprintf(tmp, sizeof(tmp), "%s", v);
        char *at = strchr(tmp, '@');
        if (at != NULL) {
            *at = '.'; /* hostmaster@example.net means hostmaster.example.net. */
        }
        if (hostname_normalize(tmp, strlen(tmp), cfg->hostmaster, sizeof(cfg->hostmaster)) != 0) {
            FAIL("DNSAPI_HOSTMASTER: '%s' is not a domain name (e.g. hostmaster.example.net)", v);
        }
    } else if (cfg->n_nameservers > 0) {
        /* ns1.example.net. -> example.net.; a two-label name is its own domain */
        const char *ns = cfg->nameservers[0];
        const char *dot = strchr(ns, '.');
        const char *rest = dot + 1;
        const char *domain =
            (strchr(rest, '.') != NULL && strchr(rest, '.')[1] != '\0') ? rest : ns;
        if (strlen(domain) + 12 > sizeof(cfg->hostmaster)) {
            FAIL("DNSAPI_HOSTMASTER: not set and hostmaster.%s would be too long; set it", domain);
        }
        memcpy(cfg->hostmaster, "hostmaster.", 11);
        memcpy(cfg->hostmaster + 11, domain, strlen(domain) + 1);
    }

    uint64_t tmin = 60, tmax = 604800;
    v = lookup(&fc, "DNSAPI_TTL_MIN");
    if (v != NULL && *v != '\0' && parse_u64(v, 0, 2147483647, &tmin) != 0) {
        FAIL("DNSAPI_TTL_MIN: '%s' is not a number of seconds from 0 to 2147483647", v);
    }
    v = lookup(&fc, "DNSAPI_TTL_MAX");
    if (v != NULL && *v != '\0' && parse_u64(v, 0, 2147483647, &tmax) != 0) {
        FAIL("DNSAPI_TTL_MAX: '%s' is not a number of seconds from 0 to 2147483647", v);
    }
    if (tmin > tmax) {
        FAIL("DNSAPI_TTL_MIN: %llu is above DNSAPI_TTL_MAX %llu", (unsigned long long)tmin,
             (unsigned long long)tmax);
    }
    cfg->ttl_min = (uint32_t)tmin;
    cfg->ttl_max = (uint32_t)tmax;

    v = lookup(&fc, "DNSAPI_MAX_BODY");
    u = 1048576;
    if (v != NULL && *v != '\0' && parse_u64(v, 1024, 1024ULL * 1024 * 1024, &u) != 0) {
        FAIL("DNSAPI_MAX_BODY: '%s' is not a number of bytes from 1024 to 1073741824", v);
    }
    cfg->max_body = (size_t)u;

    /* a master file of 20,000 records (the import limit) at well over
     * 1 KiB a line, so any zone dnsapi exports can be imported back */
    v = lookup(&fc, "DNSAPI_MAX_IMPORT_BODY");
    u = 32ULL * 1024 * 1024;
    if (v != NULL && *v != '\0' && parse_u64(v, 1024, 1024ULL * 1024 * 1024, &u) != 0) {
        FAIL("DNSAPI_MAX_IMPORT_BODY: '%s' is not a number of bytes from 1024 to 1073741824", v);
    }
    cfg->max_import_body = (size_t)u;

    v = lookup(&fc, "DNSAPI_DB_TIMEOUT");
    int64_t secs = 10;
    if (v != NULL && *v != '\0' &&
        (dnsapi_duration_parse(v, &secs) != 0 || secs < 1 || secs > 3600)) {
        FAIL("DNSAPI_DB_TIMEOUT: '%s' is not a duration from 1s to 1h", v);
    }
    cfg->db_timeout_ms = (unsigned)secs * 1000;

    v = lookup(&fc, "DNSAPI_CORS_ORIGINS");
    if (v != NULL && *v != '\0' &&
        split_list(v, origin_item, cfg, DNSAPI_CONFIG_MAX_LIST, &cfg->n_cors_origins) != 0) {
        FAIL("DNSAPI_CORS_ORIGINS: '%s' is not a comma-separated list of origins such as "
             "https://app.example.com (or *)",
             v);
    }

    v = lookup(&fc, "DNSAPI_ZONE_DIR");
    snprintf(cfg->zone_dir, sizeof(cfg->zone_dir), "%s", v && *v ? v : "var/zones");

    v = lookup(&fc, "DNSAPI_NS_CONF");
    if (v != NULL && *v != '\0' && split_list(v, ns_conf_item, cfg, 3, &n) != 0) {
        FAIL("DNSAPI_NS_CONF: '%s' is not a list of nsd:PATH, knot:PATH or bind:PATH", v);
    }

    v = lookup(&fc, "DNSAPI_RELOAD_CMD");
    snprintf(cfg->reload_cmd, sizeof(cfg->reload_cmd), "%s", v ? v : "");

    hp_ctx_t hc = {cfg->notify};
    v = lookup(&fc, "DNSAPI_NOTIFY");
    if (v != NULL && *v != '\0' &&
        split_list(v, hostport_item, &hc, DNSAPI_CONFIG_MAX_LIST, &cfg->n_notify) != 0) {
        FAIL("DNSAPI_NOTIFY: '%s' is not a comma-separated list of addr[:port]", v);
    }
    hc.list = cfg->verify;
    v = lookup(&fc, "DNSAPI_VERIFY");
    if (v != NULL && *v != '\0' &&
        split_list(v, hostport_item, &hc, DNSAPI_CONFIG_MAX_LIST, &cfg->n_verify) != 0) {
        FAIL("DNSAPI_VERIFY: '%s' is not a comma-separated list of addr[:port]", v);
    }

    if (config_load_ops(cfg, &fc, errbuf, errlen) != 0 ||
        fleet_load(&fc, cfg, errbuf, errlen) != 0) {
        goto fail;
    }

    v = lookup(&fc, "DNSAPI_RESOLVER");
    cfg->has_resolver = 0;
    if (v != NULL && *v != '\0') {
        unsigned char bin[16];
        if (dnsapi_hostport_parse(v, 53, &cfg->resolver) != 0 ||
            (inet_pton(AF_INET, cfg->resolver.host, bin) != 1 &&
             inet_pton(AF_INET6, cfg->resolver.host, bin) != 1)) {
            FAIL("DNSAPI_RESOLVER: '%s' is not an IP address with an optional port, such as "
                 "127.0.0.1:53 or [::1]:5353 (a name would need a resolver to find it)",
                 v);
        }
        cfg->has_resolver = 1;
    }

    v = lookup(&fc, "DNSAPI_UPDATE_LISTEN");
    cfg->has_update_listen = 0;
    if (v != NULL && *v != '\0') {
        unsigned char bin[16];
        if (dnsapi_hostport_parse(v, 53, &cfg->update_listen) != 0 ||
            (inet_pton(AF_INET, cfg->update_listen.host, bin) != 1 &&
             inet_pton(AF_INET6, cfg->update_listen.host, bin) != 1)) {
            FAIL("DNSAPI_UPDATE_LISTEN: '%s' is not an IP address with an optional port, such "
                 "as 127.0.0.1:5300 or [::1]:53",
                 v);
        }
        cfg->has_update_listen = 1;
    }

    v = lookup(&fc, "DNSAPI_SECRETS_KEY");
    cfg->secrets_key[0] = '\0';
    if (v != NULL && *v != '\0') {
        if (strlen(v) >= sizeof(cfg->secrets_key)) {
            FAIL("DNSAPI_SECRETS_KEY: too long; it is base64 of 32 random bytes, e.g. "
                 "`openssl rand -base64 32`");
        }
        snprintf(cfg->secrets_key, sizeof(cfg->secrets_key), "%s", v);
    }

    file_conf_free(&fc);
    return 0;
fail:
    file_conf_free(&fc);
    return -1;
}
