/*
 * dns_update_server.c - a test-only DNS UPDATE server (built with the tests,
 * never installed) that runs the protocol core of dns/ the way the
 * listener of `dnsapi serve` will, with the zone kept in memory instead of
 * PostgreSQL:
 *
 *   frame (dns_msg_info_parse) -> TSIG (dns_tsig_read/verify)
 *   -> QUERY: SOA/NS of the zone apex, REFUSED otherwise
 *   -> UPDATE: dns_update_parse -> dns_update_evaluate against the records
 *      -> policy per operation -> rules (dns_rules_check_*) on the result
 *      -> apply, raise the SOA serial, dump
 *   -> answer (dns_reply_build) -> dns_tsig_sign_answer
 *
 *   dns_update_server --listen 127.0.0.1:PORT --zone example.com.
 *       --records FILE --dump FILE --key [ALG:]NAME:SECRET ...
 *       [--policy KEYNAME:TYPE:NAMEPATTERN ...] [--clock-offset SECONDS]
 *
 * Listens on UDP and TCP (length-prefixed, several messages per
 * connection) of the same address. FILE lines are "name ttl type content"
 * (MX/SRV with the priority first); the dump is rewritten after every
 * applied update, in the same form, with a first line "; serial N"
 * ("--dump -": none, for benchmarks).
 * Prints "listening" on stdout once bound; stops on SIGTERM or SIGINT.
 *
 * One file of about 700 lines on purpose: it is the listener's flow in
 * miniature, read top to bottom, and test-only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns/dns.h"
#include "dns/message.h"
#include "dns/policy.h"
#include "dns/tsig.h"
#include "dns/update.h"

#define MAX_KEYS 8
#define MAX_CONNS 16
#define MAX_RECORDS 4096
#define TCP_IDLE_SECONDS 10

typedef struct {
    char *name;
    char *type;
    char *content;
    uint32_t ttl;
    int priority;
} record_t;

typedef struct {
    dns_tsig_key_t key;
    dns_policy_t policies[DNS_POLICY_MAX];
    size_t n_policies;
} credential_t;

typedef struct {
    int fd;
    uint8_t buf[65537];
    size_t have;
    time_t last;
} conn_t;

static struct {
    char zone[DNS_NAME_BUFSIZE];
    record_t records[MAX_RECORDS];
    size_t n_records;
    credential_t creds[MAX_KEYS];
    size_t n_creds;
    const char *dump;
    long clock_offset;
    dns_tsig_replay_t *replay;
} g;

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    g_stop = 1;
}

static void die(const char *what)
{
    fprintf(stderr, "dns_update_server: %s\n", what);
    exit(2);
}

static uint64_t now_seconds(void)
{
    return (uint64_t)((long)time(NULL) + g.clock_offset);
}

/* ---- records ------------------------------------------------------ */

static void record_add(const char *name, const char *type, const char *content, uint32_t ttl,
                       int priority)
{
    if (g.n_records == MAX_RECORDS) {
        die("too many records");
    }
    record_t *r = &g.records[g.n_records++];
    r->name = strdup(name);
    r->type = strdup(type);
    r->content = strdup(content);
    r->ttl = ttl;
    r->priority = priority;
    if (r->name == NULL || r->type == NULL || r->content == NULL) {
        die("out of memory");
    }
}

static void record_clear(record_t *r)
{
    free(r->name);
    free(r->type);
    free(r->content);
}

static void records_load(const char *path)
{
    FILE *fp = fopen(path, "r");
    char line[DNS_CONTENT_BUFSIZE];
    if (fp == NULL) {
        die("cannot open the records file");
    }
    while (fgets(line, sizeof(line), fp) != NULL) {
        char name[DNS_NAME_BUFSIZE], type[16], norm_name[DNS_NAME_BUFSIZE], norm_type[16];
        char content[DNS_CONTENT_BUFSIZE];
        unsigned long ttl;
        int used = 0, priority = -1;
        dnsapi_err_t err;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '\0' || line[0] == ';') {
            continue;
        }
        if (sscanf(line, "%255s %lu %15s %n", name, &ttl, type, &used) != 3 || used == 0) {
            die("bad records line");
        }
        if (dns_name_normalize(g.zone, name, norm_name, sizeof(norm_name), &err) != DNSAPI_OK ||
            dns_type_normalize(type, norm_type, sizeof(norm_type), &err) != DNSAPI_OK) {
            die(err.message);
        }
        if (strcmp(norm_type, "SOA") == 0) {
            record_add(norm_name, norm_type, line + used, (uint32_t)ttl, -1);
            continue;
        }
        if (dns_rdata_normalize(g.zone, norm_type, line + used, -1, content, sizeof(content),
                                &priority, &err) != DNSAPI_OK) {
            die(err.message);
        }
        record_add(norm_name, norm_type, content, (uint32_t)ttl, priority);
    }
    fclose(fp);
}

static void records_dump(void)
{
    char tmp[4096];
    if (strcmp(g.dump, "-") == 0) {
        return; /* benchmarks: no file per update */
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp", g.dump);
    FILE *fp = fopen(tmp, "w");
    if (fp == NULL) {
        die("cannot write the dump");
    }
    for (size_t i = 0; i < g.n_records; i++) {
        const record_t *r = &g.records[i];
        if (strcmp(r->type, "SOA") == 0) {
            char a[DNS_NAME_BUFSIZE], b[DNS_NAME_BUFSIZE];
            unsigned long serial;
            if (sscanf(r->content, "%255s %255s %lu", a, b, &serial) == 3) {
                fprintf(fp, "; serial %lu\n", serial);
            }
        }
    }
    for (size_t i = 0; i < g.n_records; i++) {
        const record_t *r = &g.records[i];
        if (r->priority >= 0) {
            fprintf(fp, "%s %u %s %d %s\n", r->name, r->ttl, r->type, r->priority, r->content);
        } else {
            fprintf(fp, "%s %u %s %s\n", r->name, r->ttl, r->type, r->content);
        }
    }
    if (fclose(fp) != 0 || rename(tmp, g.dump) != 0) {
        die("cannot write the dump");
    }
}

/* The SOA's serial field plus one (RFC 1982). */
static void soa_bump(void)
{
    for (size_t i = 0; i < g.n_records; i++) {
        record_t *r = &g.records[i];
        char mname[DNS_NAME_BUFSIZE], rname[DNS_NAME_BUFSIZE], buf[DNS_CONTENT_BUFSIZE];
        unsigned long serial, refresh, retry, expire, minimum;
        if (strcmp(r->type, "SOA") != 0 ||
            sscanf(r->content, "%255s %255s %lu %lu %lu %lu %lu", mname, rname, &serial, &refresh,
                   &retry, &expire, &minimum) != 7) {
            continue;
        }
        snprintf(buf, sizeof(buf), "%s %s %u %lu %lu %lu %lu", mname, rname,
                 dns_serial_add((uint32_t)serial, 1), refresh, retry, expire, minimum);
        free(r->content);
        r->content = strdup(buf);
        if (r->content == NULL) {
            die("out of memory");
        }
    }
}

/* ---- answering ---------------------------------------------------- */

typedef struct {
    uint16_t rcode;
    uint16_t ede_code;
    char ede[DNS_EDE_TEXT_BUFSIZE];
    bool has_ede;
} outcome_t;

static void outcome_set(outcome_t *o, uint16_t rcode, uint16_t ede_code, const dnsapi_err_t *err)
{
    o->rcode = rcode;
    o->ede_code = ede_code;
    o->has_ede = err != NULL;
    if (err != NULL) {
        dns_reply_ede_text(err, o->ede, sizeof(o->ede));
    }
}

static const credential_t *cred_find(const char *name)
{
    for (size_t i = 0; i < g.n_creds; i++) {
        if (strcmp(g.creds[i].key.name, name) == 0) {
            return &g.creds[i];
        }
    }
    return NULL;
}

/* The records as dns_rr_t views. */
static dns_rr_t *records_view(void)
{
    dns_rr_t *v = calloc(g.n_records + 1, sizeof(*v));
    if (v == NULL) {
        die("out of memory");
    }
    for (size_t i = 0; i < g.n_records; i++) {
        const record_t *r = &g.records[i];
        v[i] = (dns_rr_t){r->name, r->type, r->content, r->ttl, r->priority};
    }
    return v;
}

/* The policy and rules checks of one planned update, on the zone as it
 * would be afterwards; fills o and returns false when refused. */
static bool ops_allowed(const credential_t *cred, const dns_rr_t *view, const dns_update_ops_t *ops,
                        outcome_t *o)
{
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    for (size_t i = 0; i < ops->n_deletes + ops->n_patches + ops->n_posts; i++) {
        const dns_rr_t *rr = i < ops->n_deletes ? &view[ops->deletes[i]]
                             : i < ops->n_deletes + ops->n_patches
                                 ? &view[ops->patches[i - ops->n_deletes].index]
                                 : &ops->posts[i - ops->n_deletes - ops->n_patches];
        if (!dns_policy_allows(cred->policies, cred->n_policies, g.zone, rr->name, rr->type,
                               true)) {
            dnsapi_err_set(&err, DNSAPI_EFORBIDDEN, "insufficient_scope", NULL,
                           "This key may not write %s records at %s.", rr->type, rr->name);
            outcome_set(o, DNS_RCODE_REFUSED, DNS_EDE_PROHIBITED, &err);
            return false;
        }
        if (dns_rules_check_system(g.zone, rr->name, rr->type, &err) != DNSAPI_OK) {
            outcome_set(o, DNS_RCODE_REFUSED, DNS_EDE_PROHIBITED, &err);
            return false;
        }
        if (i >= ops->n_deletes && dns_rules_check_ttl(i < ops->n_deletes + ops->n_patches
                                                           ? ops->patches[i - ops->n_deletes].ttl
                                                           : rr->ttl,
                                                       60, 604800, &err) != DNSAPI_OK) {
            outcome_set(o, DNS_RCODE_REFUSED, DNS_EDE_OTHER, &err);
            return false;
        }
    }
    return true;
}

/* Applies ops and checks each post against the records then at its name. */
static bool ops_apply(const dns_update_ops_t *ops, outcome_t *o)
{
    bool *gone = calloc(g.n_records + 1, sizeof(*gone));
    dnsapi_err_t err;
    if (gone == NULL) {
        die("out of memory");
    }
    for (size_t i = 0; i < ops->n_deletes; i++) {
        gone[ops->deletes[i]] = true;
    }
    for (size_t i = 0; i < ops->n_patches; i++) {
        g.records[ops->patches[i].index].ttl = ops->patches[i].ttl;
    }
    size_t keep = 0;
    for (size_t i = 0; i < g.n_records; i++) {
        if (gone[i]) {
            record_clear(&g.records[i]);
        } else {
            g.records[keep++] = g.records[i];
        }
    }
    g.n_records = keep;
    free(gone);
    for (size_t i = 0; i < ops->n_posts; i++) {
        const dns_rr_t *p = &ops->posts[i];
        dns_rr_t at_name[64];
        size_t n = 0;
        for (size_t j = 0; j < g.n_records && n < 64; j++) {
            if (strcmp(g.records[j].name, p->name) == 0) {
                const record_t *r = &g.records[j];
                at_name[n++] = (dns_rr_t){r->name, r->type, r->content, r->ttl, r->priority};
            }
        }
        if (dns_rules_check_rrset(g.zone, p, at_name, n, &err) != DNSAPI_OK) {
            outcome_set(o, DNS_RCODE_REFUSED, DNS_EDE_OTHER, &err);
            return false; /* the caller restores the records it saved */
        }
        record_add(p->name, p->type, p->content, p->ttl, p->priority);
    }
    return true;
}

/* A copy of the records to restore when the rules refuse the result: the
 * change model's transaction does the same. */
static record_t *records_save(size_t *n)
{
    record_t *copy = calloc(g.n_records + 1, sizeof(*copy));
    if (copy == NULL) {
        die("out of memory");
    }
    for (size_t i = 0; i < g.n_records; i++) {
        const record_t *r = &g.records[i];
        copy[i] =
            (record_t){strdup(r->name), strdup(r->type), strdup(r->content), r->ttl, r->priority};
    }
    *n = g.n_records;
    return copy;
}

static void records_restore(record_t *copy, size_t n)
{
    for (size_t i = 0; i < g.n_records; i++) {
        record_clear(&g.records[i]);
    }
    memcpy(g.records, copy, n * sizeof(*copy));
    g.n_records = n;
    free(copy);
}

static void records_forget(record_t *copy, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        record_clear(&copy[i]);
    }
    free(copy);
}

static void handle_update(const uint8_t *msg, size_t len, const dns_msg_info_t *info,
                          const credential_t *cred, outcome_t *o)
{
    dns_update_t *u = NULL;
    dns_update_result_t res;
    dns_update_ops_t ops = {0};
    dnsapi_err_t err;

    if (cred == NULL) {
        dnsapi_err_set(&err, DNSAPI_EFORBIDDEN, "unsigned", NULL,
                       "Updates must be signed with a TSIG key.");
        outcome_set(o, DNS_RCODE_REFUSED, DNS_EDE_PROHIBITED, &err);
        return;
    }
    if (dns_update_parse(msg, len, info, &u, &res) != DNSAPI_OK) {
        outcome_set(o, res.rcode, DNS_EDE_OTHER, &res.err);
        return;
    }
    if (strcmp(u->zone, g.zone) != 0) {
        dnsapi_err_set(&err, DNSAPI_ENOTFOUND, "notauth", NULL, "This server has no zone %s.",
                       u->zone);
        outcome_set(o, DNS_RCODE_NOTAUTH, DNS_EDE_NOT_AUTHORITATIVE, &err);
        dns_update_free(u);
        return;
    }
    dns_rr_t *view = records_view();
    if (dns_update_evaluate(u, view, g.n_records, &ops, &res) != DNSAPI_OK) {
        outcome_set(o, res.rcode, DNS_EDE_OTHER, &res.err);
    } else if (ops_allowed(cred, view, &ops, o)) {
        size_t saved_n;
        record_t *saved = records_save(&saved_n);
        free(view);
        view = NULL;
        if (ops_apply(&ops, o)) {
            if (ops.n_deletes + ops.n_patches + ops.n_posts > 0) {
                soa_bump();
                records_dump();
            }
            records_forget(saved, saved_n);
            o->rcode = DNS_RCODE_NOERROR;
        } else {
            records_restore(saved, saved_n);
        }
    }
    free(view);
    dns_update_ops_clear(&ops);
    dns_update_free(u);
}

static void handle_query(const dns_msg_info_t *info, outcome_t *o, dns_rr_t *answer,
                         size_t *n_answer)
{
    char name[DNS_WIRE_NAME_TEXT];
    *n_answer = 0;
    if (!dns_query_apex_name(info, name, sizeof(name)) || strcmp(name, g.zone) != 0) {
        o->rcode = DNS_RCODE_REFUSED;
        return;
    }
    const char *type = info->qtype == DNS_TYPE_SOA ? "SOA" : "NS";
    for (size_t i = 0; i < g.n_records && *n_answer < 16; i++) {
        const record_t *r = &g.records[i];
        if (strcmp(r->name, g.zone) == 0 && strcmp(r->type, type) == 0) {
            answer[(*n_answer)++] = (dns_rr_t){r->name, r->type, r->content, r->ttl, -1};
        }
    }
    o->rcode = DNS_RCODE_NOERROR;
}

/* Answers msg into out; returns the answer's length, 0 for no answer. */
static size_t handle(const uint8_t *msg, size_t len, uint8_t *out, size_t cap, bool tcp)
{
    dns_msg_info_t info;
    dnsapi_err_t err;
    outcome_t o = {0};
    dns_rr_t answer[16];
    size_t n_answer = 0;
    const credential_t *cred = NULL;
    dns_tsig_verdict_t verdict;
    bool tsig = false;
    uint64_t now = now_seconds();

    if (dns_msg_info_parse(msg, len, &info, &err) != DNSAPI_OK) {
        if (info.drop) {
            return 0;
        }
        outcome_set(&o, DNS_RCODE_FORMERR, DNS_EDE_OTHER, &err);
        goto answer;
    }
    if (info.has_tsig) {
        dns_tsig_rr_t rr;
        if (dns_tsig_read(msg, len, info.tsig_at, &rr, &err) != DNSAPI_OK) {
            outcome_set(&o, DNS_RCODE_FORMERR, DNS_EDE_OTHER, &err);
            goto answer;
        }
        cred = cred_find(rr.key_text);
        tsig = true;
        dns_tsig_policy_t policy = {0, 0};
        if (dns_tsig_verify(msg, len, &rr, cred != NULL ? &cred->key : NULL, now, &policy, g.replay,
                            &verdict) != DNSAPI_OK) {
            fprintf(stderr, "dns_update_server: TSIG refused: %s\n", verdict.err.message);
            o.rcode = verdict.rcode;
            cred = verdict.sign_answer ? cred : NULL;
            goto answer;
        }
    }
    if (dns_msg_badvers(&info)) {
        o.rcode = DNS_RCODE_BADVERS;
        goto answer;
    }
    switch (DNS_FLAGS_OPCODE(info.flags)) {
    case DNS_OPCODE_QUERY:
        handle_query(&info, &o, answer, &n_answer);
        break;
    case DNS_OPCODE_UPDATE:
        handle_update(msg, len, &info, cred, &o);
        break;
    default:
        o.rcode = DNS_RCODE_NOTIMP;
        break;
    }
answer:;
    dns_reply_t r = {o.rcode, n_answer > 0, answer, n_answer, o.ede_code, o.has_ede ? o.ede : NULL};
    size_t limit = tcp ? 65535 : dns_reply_udp_limit(&info);
    size_t reserve = tsig ? DNS_TSIG_RR_MAX : 0;
    size_t outlen = 0;
    if (dns_reply_build(&info, &r, out, cap, limit - reserve, &outlen) != DNSAPI_OK) {
        return 0;
    }
    if (tsig &&
        dns_tsig_sign_answer(out, &outlen, limit < cap ? limit : cap,
                             cred != NULL ? &cred->key : NULL, &verdict, now) != DNSAPI_OK) {
        return 0;
    }
    return outlen;
}

/* ---- sockets ------------------------------------------------------- */

static void parse_listen(const char *text, struct sockaddr_in *sa)
{
    char host[64];
    unsigned port;
    if (sscanf(text, "%63[^:]:%u", host, &port) != 2 || port == 0 || port > 65535) {
        die("--listen wants ADDRESS:PORT");
    }
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
        die("--listen wants an IPv4 address");
    }
}

static int bind_socket(int type, const struct sockaddr_in *sa)
{
    int fd = socket(AF_INET, type, 0);
    int one = 1;
    if (fd < 0) {
        die("socket failed");
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0) {
        die(strerror(errno));
    }
    if (type == SOCK_STREAM && listen(fd, 16) != 0) {
        die("listen failed");
    }
    return fd;
}

static void udp_serve(int fd)
{
    static uint8_t in[65536], out[65536];
    struct sockaddr_in from;
    socklen_t fromlen = sizeof(from);
    ssize_t n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &fromlen);
    if (n <= 0) {
        return;
    }
    size_t len = handle(in, (size_t)n, out, sizeof(out), false);
    if (len > 0) {
        sendto(fd, out, len, 0, (struct sockaddr *)&from, fromlen);
    }
}

static void conn_close(conn_t *c)
{
    close(c->fd);
    c->fd = -1;
    c->have = 0;
}

static void tcp_serve(conn_t *c)
{
    static uint8_t out[65537];
    ssize_t n = read(c->fd, c->buf + c->have, sizeof(c->buf) - c->have);
    if (n <= 0) {
        conn_close(c);
        return;
    }
    c->have += (size_t)n;
    c->last = time(NULL);
    /* Every complete message in the buffer, in order (bounded by its size). */
    while (c->have >= 2) {
        size_t mlen = ((size_t)c->buf[0] << 8) | c->buf[1];
        if (c->have < 2 + mlen) {
            break;
        }
        size_t len = handle(c->buf + 2, mlen, out + 2, sizeof(out) - 2, true);
        if (len > 0) {
            out[0] = (uint8_t)(len >> 8);
            out[1] = (uint8_t)len;
            if (write(c->fd, out, len + 2) != (ssize_t)(len + 2)) {
                conn_close(c);
                return;
            }
        }
        memmove(c->buf, c->buf + 2 + mlen, c->have - 2 - mlen);
        c->have -= 2 + mlen;
    }
}

static void add_policy(const char *spec)
{
    char key[DNS_WIRE_NAME_TEXT], type[16], pattern[DNS_NAME_BUFSIZE];
    dnsapi_err_t err;
    if (sscanf(spec, "%1023[^:]:%15[^:]:%255s", key, type, pattern) != 3) {
        die("--policy wants KEYNAME:TYPE:NAMEPATTERN");
    }
    for (size_t i = 0; i < g.n_creds; i++) {
        credential_t *c = &g.creds[i];
        if (strcmp(c->key.name, key) == 0 && c->n_policies < DNS_POLICY_MAX) {
            if (dns_policy_make(g.zone, pattern, type, true, &c->policies[c->n_policies], &err) !=
                DNSAPI_OK) {
                die(err.message);
            }
            c->n_policies++;
            return;
        }
    }
    die("--policy names a key not given before it");
}

int main(int argc, char **argv)
{
    struct sockaddr_in sa;
    const char *listen_at = NULL, *records = NULL;
    dnsapi_err_t err;
    static conn_t conns[MAX_CONNS];

    for (int i = 1; i + 1 < argc; i += 2) {
        const char *opt = argv[i], *val = argv[i + 1];
        if (strcmp(opt, "--listen") == 0) {
            listen_at = val;
        } else if (strcmp(opt, "--zone") == 0) {
            if (dns_zone_name_normalize(val, g.zone, sizeof(g.zone), &err) != DNSAPI_OK) {
                die(err.message);
            }
        } else if (strcmp(opt, "--records") == 0) {
            records = val;
        } else if (strcmp(opt, "--dump") == 0) {
            g.dump = val;
        } else if (strcmp(opt, "--key") == 0) {
            if (g.n_creds == MAX_KEYS ||
                dns_tsig_key_parse(val, &g.creds[g.n_creds].key, &err) != DNSAPI_OK) {
                die("bad --key");
            }
            g.n_creds++;
        } else if (strcmp(opt, "--policy") == 0) {
            add_policy(val);
        } else if (strcmp(opt, "--clock-offset") == 0) {
            g.clock_offset = strtol(val, NULL, 10);
        } else {
            die("unknown option");
        }
    }
    if (listen_at == NULL || g.zone[0] == '\0' || records == NULL || g.dump == NULL) {
        die("usage: --listen ADDR:PORT --zone ZONE --records FILE --dump FILE --key K ...");
    }
    records_load(records);
    records_dump();
    g.replay = dns_tsig_replay_new(0);
    if (g.replay == NULL) {
        die("out of memory");
    }
    parse_listen(listen_at, &sa);
    int udp = bind_socket(SOCK_DGRAM, &sa);
    int tcp = bind_socket(SOCK_STREAM, &sa);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < MAX_CONNS; i++) {
        conns[i].fd = -1;
    }
    printf("listening\n");
    fflush(stdout);

    while (!g_stop) {
        struct pollfd pfd[2 + MAX_CONNS];
        int map[2 + MAX_CONNS];
        nfds_t n = 0;
        pfd[n++] = (struct pollfd){udp, POLLIN, 0};
        pfd[n++] = (struct pollfd){tcp, POLLIN, 0};
        for (int i = 0; i < MAX_CONNS; i++) {
            if (conns[i].fd >= 0) {
                map[n] = i;
                pfd[n++] = (struct pollfd){conns[i].fd, POLLIN, 0};
            }
        }
        if (poll(pfd, n, 500) < 0) {
            continue;
        }
        if (pfd[0].revents & POLLIN) {
            udp_serve(udp);
        }
        if (pfd[1].revents & POLLIN) {
            int fd = accept(tcp, NULL, NULL);
            int slot = -1;
            for (int i = 0; i < MAX_CONNS && fd >= 0 && slot < 0; i++) {
                slot = conns[i].fd < 0 ? i : -1;
            }
            if (slot >= 0) {
                conns[slot] = (conn_t){.fd = fd, .have = 0, .last = time(NULL)};
            } else if (fd >= 0) {
                close(fd); /* all slots busy */
            }
        }
        for (nfds_t k = 2; k < n; k++) {
            if (pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) {
                tcp_serve(&conns[map[k]]);
            }
        }
        for (int i = 0; i < MAX_CONNS; i++) {
            if (conns[i].fd >= 0 && time(NULL) - conns[i].last > TCP_IDLE_SECONDS) {
                conn_close(&conns[i]);
            }
        }
    }
    for (int i = 0; i < MAX_CONNS; i++) {
        if (conns[i].fd >= 0) {
            conn_close(&conns[i]);
        }
    }
    close(udp);
    close(tcp);
    for (size_t i = 0; i < g.n_records; i++) {
        record_clear(&g.records[i]);
    }
    dns_tsig_replay_free(g.replay);
    return 0;
}
