/*
 * dnsprobe.c - a test program that runs the DNS client and the live checks
 * on an h2o loop, as the API's loop threads will, and prints JSON. The
 * end-to-end tests (tests/e2e/test_dns_client.py, test_deleg_live.py) drive
 * it against real NSD, Knot and unbound on loopback.
 *
 *   dnsapi_dnsprobe [options] query ADDR:PORT NAME TYPE [ADDR:PORT NAME TYPE]...
 *   dnsapi_dnsprobe [options] delegations ZONE.json
 *   dnsapi_dnsprobe [options] check ZONE.json NAME
 *   dnsapi_dnsprobe [options] check-zone ZONE.json
 *
 * options: --attempt-ms N --attempts N --deadline-ms N --max-inflight N
 *          --resolver ADDR:PORT --ns-port N --rd (query: recursion desired)
 *          --cancel-after-ms N (free the group or check after N ms and
 *          report how many callbacks ran afterwards: none may)
 *
 * ZONE.json: {"zone": "example.test.", "serial": N, "records": [{"name",
 * "type", "content", "ttl", "priority"?}]} with names and content as a
 * client would send them; they are normalized as storage stores them.
 * DNSAPI_PROBE_TIMING set: "delegations" says on stderr how long the analysis
 * took (for bench/README.md).
 * Exit status: 0 with JSON on stdout; 2 bad usage or input; 4 the name is
 * not a delegation (the API's 404).
 */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/view_delegation.h"
#include "common/config.h"
#include "dns/delegation.h"
#include "dnsclient/check.h"
#include "dnsclient/client.h"

#define LOOP_LIMIT_SECONDS 120
#define MAX_QUERIES 256

typedef struct {
    dns_client_opts_t opts;
    dnsapi_hostport_t resolver;
    bool have_resolver;
    uint16_t ns_port;
    bool rd;
    uint32_t cancel_after_ms;
} options_t;

static h2o_evloop_t *loop;
static bool finished;
static int late_callbacks; /* callbacks after a cancel: must stay 0 */
static bool cancelled;

static void usage(void)
{
    fprintf(stderr, "usage: dnsapi_dnsprobe [options] query ADDR:PORT NAME TYPE ... |\n"
                    "       delegations ZONE.json | check ZONE.json NAME | check-zone "
                    "ZONE.json\n");
    exit(2);
}

static void die(const char *what, const char *why)
{
    fprintf(stderr, "dnsapi_dnsprobe: %s: %s\n", what, why);
    exit(2);
}

static void print_json(json_t *o)
{
    if (o == NULL) {
        die("output", "out of memory");
    }
    char *s = json_dumps(o, JSON_SORT_KEYS | JSON_INDENT(1));
    puts(s);
    free(s);
    json_decref(o);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the loop until finished, at most LOOP_LIMIT_SECONDS. */
static void loop_run(void)
{
    long long end = now_ms() + LOOP_LIMIT_SECONDS * 1000LL;
    for (long i = 0; !finished && i < 10000000 && now_ms() < end; i++) {
        h2o_evloop_run(loop, 100);
    }
    if (!finished) {
        die("loop", "did not finish in time");
    }
}

/* A few more turns: h2o frees closed sockets on its next turn. */
static void loop_drain(void)
{
    for (int i = 0; i < 5; i++) {
        h2o_evloop_run(loop, 0);
    }
}

/* ---- input -------------------------------------------------------- */

typedef struct {
    char zone[DNS_NAME_BUFSIZE];
    uint32_t serial;
    dns_zone_rr_t *rrs;
    size_t n;
    char **strings; /* every name, type and content, compact as rows would be */
    size_t n_strings;
} zone_input_t;

static void zone_load(const char *path, zone_input_t *z)
{
    json_error_t jerr;
    dnsapi_err_t err;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    const char *zone = NULL;
    json_int_t serial = 0;
    json_t *records = NULL;
    if (root == NULL) {
        die(path, jerr.text);
    }
    if (json_unpack_ex(root, &jerr, 0, "{s:s, s?I, s:o}", "zone", &zone, "serial", &serial,
                       "records", &records) != 0 ||
        !json_is_array(records)) {
        die(path, "want {zone, serial, records: [...]}");
    }
    if (dns_zone_name_normalize(zone, z->zone, sizeof(z->zone), &err) != DNSAPI_OK) {
        die(zone, err.message);
    }
    z->serial = (uint32_t)serial;
    size_t n = json_array_size(records);
    z->rrs = calloc(n + 1, sizeof(*z->rrs));
    z->strings = calloc(3 * n + 1, sizeof(*z->strings));
    if (z->rrs == NULL || z->strings == NULL) {
        die(path, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const char *name, *type, *content;
        json_int_t ttl = 0, priority = -1;
        int prio_out = -1;
        char nbuf[DNS_NAME_BUFSIZE], tbuf[16], cbuf[DNS_CONTENT_BUFSIZE];
        if (json_unpack_ex(json_array_get(records, i), &jerr, 0, "{s:s, s:s, s:s, s:I, s?I}",
                           "name", &name, "type", &type, "content", &content, "ttl", &ttl,
                           "priority", &priority) != 0) {
            die(path, jerr.text);
        }
        if (dns_name_normalize(z->zone, name, nbuf, sizeof(nbuf), &err) != 0 ||
            dns_type_normalize(type, tbuf, sizeof(tbuf), &err) != 0 ||
            (strcmp(tbuf, "SOA") != 0 &&
             dns_rdata_normalize(z->zone, tbuf, content, (long)priority, cbuf, sizeof(cbuf),
                                 &prio_out, &err) != 0)) {
            die(name, err.message);
        }
        if (strcmp(tbuf, "SOA") == 0) {
            snprintf(cbuf, sizeof(cbuf), "%s", content);
        }
        char *fields[3] = {strdup(nbuf), strdup(tbuf), strdup(cbuf)};
        for (int f = 0; f < 3; f++) {
            if (fields[f] == NULL) {
                die(path, "out of memory");
            }
            z->strings[z->n_strings++] = fields[f];
        }
        z->rrs[i] = (dns_zone_rr_t){fields[0], fields[1], fields[2], (uint32_t)ttl, prio_out, NULL};
    }
    z->n = n;
    json_decref(root);
}

static void zone_clear(zone_input_t *z)
{
    for (size_t i = 0; i < z->n_strings; i++) {
        free(z->strings[i]);
    }
    free(z->strings);
    free(z->rrs);
}

/* ---- query -------------------------------------------------------- */

typedef struct {
    char server[DNS_ADDR_BUFSIZE + 8];
    dns_answer_t answer;
    bool got;
} slot_t;

static slot_t slots[MAX_QUERIES];
static size_t n_slots;
static dns_client_group_t *query_group;

static json_t *answer_json(const slot_t *s)
{
    const dns_answer_t *a = &s->answer;
    json_t *items = json_array(), *glue = json_array();
    for (size_t i = 0; i < a->n_items; i++) {
        json_array_append_new(items, json_string(a->items[i]));
    }
    for (size_t i = 0; i < a->n_glue; i++) {
        json_array_append_new(
            glue, json_pack("{s:s, s:s}", "name", a->glue[i].name, "address", a->glue[i].address));
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:b, s:b, s:b, s:b, s:o, s:o, s:o, s:s, s:b, "
                     "s:b, s:s}",
                     "server", s->server, "qname", a->qname, "qtype", a->qtype, "status",
                     dns_answer_status_name(a->status), "rcode", a->rcode, "aa", a->aa, "tc", a->tc,
                     "tcp", a->tcp, "has_soa", a->has_soa, "serial",
                     a->has_soa ? json_integer(a->serial) : json_null(), "items", items, "glue",
                     glue, "soa_owner", a->soa_owner, "referral", a->referral, "truncated",
                     a->truncated, "error", a->error);
}

static void on_query_answer(const dns_answer_t *answer, void *data)
{
    slot_t *s = data;
    if (cancelled) {
        late_callbacks++;
    }
    s->answer = *answer;
    s->got = true;
}

static void on_query_idle(dns_client_group_t *g, void *data)
{
    finished = true;
}

/* --cancel-after-ms: frees what runs, then lets the loop go on for a
 * while to see that no callback comes. */
static h2o_timeout_t cancel_timeout;
static h2o_timeout_entry_t cancel_entry;
static void (*cancel_action)(void);

static void on_cancel(h2o_timeout_entry_t *entry)
{
    cancelled = true;
    cancel_action();
}

static void cancel_arm(const options_t *o, void (*action)(void))
{
    if (o->cancel_after_ms == 0) {
        return;
    }
    cancel_action = action;
    h2o_timeout_init(loop, &cancel_timeout, o->cancel_after_ms);
    cancel_entry.cb = on_cancel;
    h2o_timeout_link(loop, &cancel_timeout, &cancel_entry);
}

static void cancel_disarm(const options_t *o)
{
    if (o->cancel_after_ms == 0) {
        return;
    }
    if (h2o_timeout_is_linked(&cancel_entry)) {
        h2o_timeout_unlink(&cancel_entry);
    }
    h2o_timeout_dispose(loop, &cancel_timeout);
}

/* After a cancel: turns of the loop for twice the client's deadline. */
static void loop_after_cancel(const dns_client_opts_t *opts)
{
    long long end = now_ms() + 2LL * opts->deadline_ms;
    for (int i = 0; i < 1000000 && now_ms() < end; i++) {
        h2o_evloop_run(loop, 50);
    }
}

static void cancel_query_group(void)
{
    dns_client_group_free(query_group);
    query_group = NULL;
    finished = true;
}

static int cmd_query(const options_t *o, dns_client_t *c, int argc, char **argv)
{
    dnsapi_err_t err;
    if (argc < 3 || argc % 3 != 0 || argc / 3 > MAX_QUERIES) {
        usage();
    }
    query_group = dns_client_group_new(c, on_query_idle, NULL);
    for (int i = 0; i < argc; i += 3) {
        dnsapi_hostport_t server;
        slot_t *s = &slots[n_slots++];
        if (dnsapi_hostport_parse(argv[i], 53, &server) != 0) {
            die(argv[i], "not ADDR:PORT");
        }
        snprintf(s->server, sizeof(s->server), "%s", argv[i]);
        dns_answer_init(&s->answer, argv[i + 1], argv[i + 2]);
        if (dns_client_query(query_group, &server, argv[i + 1], argv[i + 2], o->rd, on_query_answer,
                             s, &err) != DNSAPI_OK) {
            die(argv[i], err.message);
        }
    }
    cancel_arm(o, cancel_query_group);
    loop_run();
    if (cancelled) {
        loop_after_cancel(dns_client_opts(c));
        print_json(json_pack("{s:b, s:i}", "cancelled", true, "late_callbacks", late_callbacks));
    } else {
        json_t *out = json_array();
        for (size_t i = 0; i < n_slots; i++) {
            json_array_append_new(out, answer_json(&slots[i]));
        }
        print_json(out);
        dns_client_group_free(query_group);
    }
    cancel_disarm(o);
    return 0;
}

/* ---- delegations and checks --------------------------------------- */

static dns_check_t *running_check;

static void on_check_done(dns_check_t *k, void *data)
{
    if (cancelled) {
        late_callbacks++;
    }
    finished = true;
}

static void cancel_check(void)
{
    dns_check_free(running_check);
    running_check = NULL;
    finished = true;
}

static int cmd_delegations(int argc, char **argv)
{
    zone_input_t z = {0};
    dns_delegations_t d;
    dnsapi_err_t err;
    if (argc != 1) {
        usage();
    }
    zone_load(argv[0], &z);
    struct timespec c0, c1;
    long long t0 = now_ms();
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    if (dns_delegations_analyze(z.zone, z.rrs, z.n, &d, &err) != DNSAPI_OK) {
        die(argv[0], err.message);
    }
    if (getenv("DNSAPI_PROBE_TIMING") != NULL) {
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
        fprintf(stderr, "analysis: %zu records, %zu delegations, %lld ms wall, %.1f ms cpu\n", z.n,
                d.n, now_ms() - t0,
                (c1.tv_sec - c0.tv_sec) * 1e3 + (c1.tv_nsec - c0.tv_nsec) / 1e6);
    }
    json_t *list = json_array();
    for (size_t i = 0; i < d.n; i++) {
        json_array_append_new(list, view_delegation(&d.v[i], 0));
    }
    print_json(json_pack("{s:s, s:o}", "zone", z.zone, "delegations", list));
    dns_delegations_clear(&d);
    zone_clear(&z);
    return 0;
}

static int check_finish(const options_t *o, dns_client_t *c, bool zone_kind)
{
    cancel_arm(o, cancel_check);
    loop_run();
    if (cancelled) {
        loop_after_cancel(dns_client_opts(c));
        print_json(json_pack("{s:b, s:i}", "cancelled", true, "late_callbacks", late_callbacks));
    } else if (zone_kind) {
        print_json(
            view_zone_check(dns_check_expect(running_check), dns_check_zone_report(running_check)));
    } else {
        print_json(view_delegation_check(dns_check_expect(running_check),
                                         dns_check_report(running_check)));
    }
    cancel_disarm(o);
    dns_check_free(running_check);
    return 0;
}

static int cmd_check(const options_t *o, dns_client_t *c, int argc, char **argv)
{
    zone_input_t z = {0};
    dns_delegations_t d;
    dnsapi_err_t err;
    char name[DNS_NAME_BUFSIZE];
    if (argc != 2) {
        usage();
    }
    zone_load(argv[0], &z);
    if (dns_name_normalize(z.zone, argv[1], name, sizeof(name), &err) != DNSAPI_OK) {
        die(argv[1], err.message);
    }
    if (dns_delegations_analyze(z.zone, z.rrs, z.n, &d, &err) != DNSAPI_OK) {
        die(argv[0], err.message);
    }
    const dns_delegation_t *deleg = dns_delegations_find(&d, name);
    if (deleg == NULL) {
        fprintf(stderr, "dnsapi_dnsprobe: %s is not a delegation point in %s\n", name, z.zone);
        dns_delegations_clear(&d);
        zone_clear(&z);
        return 4;
    }
    dns_check_delegation_args_t args = {z.zone, deleg, o->have_resolver ? &o->resolver : NULL,
                                        o->ns_port};
    if (dns_check_delegation_start(c, &args, on_check_done, NULL, &running_check, &err) !=
        DNSAPI_OK) {
        die(name, err.message);
    }
    /* the check copied what it needs: the input may go now */
    dns_delegations_clear(&d);
    zone_clear(&z);
    return check_finish(o, c, false);
}

static int cmd_check_zone(const options_t *o, dns_client_t *c, int argc, char **argv)
{
    zone_input_t z = {0};
    dnsapi_err_t err;
    if (argc != 1) {
        usage();
    }
    zone_load(argv[0], &z);
    dns_check_zone_args_t args = {
        z.zone, z.serial, z.rrs, z.n, o->have_resolver ? &o->resolver : NULL, o->ns_port};
    if (dns_check_zone_start(c, &args, on_check_done, NULL, &running_check, &err) != DNSAPI_OK) {
        die(z.zone, err.message);
    }
    zone_clear(&z);
    return check_finish(o, c, true);
}

/* ---- main --------------------------------------------------------- */

static unsigned long number(const char *opt, const char *v)
{
    char *end = NULL;
    unsigned long n = v != NULL ? strtoul(v, &end, 10) : 0;
    if (v == NULL || *end != '\0' || n > 600000) {
        die(opt, "want a number");
    }
    return n;
}

int main(int argc, char **argv)
{
    options_t o = {0};
    int i = 1;
    signal(SIGPIPE, SIG_IGN);
    json_object_seed(0);
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *opt = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(opt, "--rd") == 0) {
            o.rd = true;
            continue;
        }
        i++;
        if (strcmp(opt, "--attempt-ms") == 0) {
            o.opts.attempt_ms = (uint32_t)number(opt, v);
        } else if (strcmp(opt, "--attempts") == 0) {
            o.opts.attempts = (unsigned)number(opt, v);
        } else if (strcmp(opt, "--deadline-ms") == 0) {
            o.opts.deadline_ms = (uint32_t)number(opt, v);
        } else if (strcmp(opt, "--max-inflight") == 0) {
            o.opts.max_inflight = (size_t)number(opt, v);
        } else if (strcmp(opt, "--ns-port") == 0) {
            o.ns_port = (uint16_t)number(opt, v);
        } else if (strcmp(opt, "--cancel-after-ms") == 0) {
            o.cancel_after_ms = (uint32_t)number(opt, v);
        } else if (strcmp(opt, "--resolver") == 0) {
            if (v == NULL || dnsapi_hostport_parse(v, 53, &o.resolver) != 0) {
                die(opt, "want ADDR[:PORT]");
            }
            o.have_resolver = true;
        } else {
            usage();
        }
    }
    if (i >= argc) {
        usage();
    }
    const char *cmd = argv[i++];
    if (strcmp(cmd, "delegations") == 0) {
        return cmd_delegations(argc - i, argv + i);
    }
    loop = h2o_evloop_create();
    dns_client_t *c = dns_client_new(loop, &o.opts);
    int rc;
    if (strcmp(cmd, "query") == 0) {
        rc = cmd_query(&o, c, argc - i, argv + i);
    } else if (strcmp(cmd, "check") == 0) {
        rc = cmd_check(&o, c, argc - i, argv + i);
    } else if (strcmp(cmd, "check-zone") == 0) {
        rc = cmd_check_zone(&o, c, argc - i, argv + i);
    } else {
        usage();
        rc = 2;
    }
    dns_client_free(c);
    loop_drain();
    h2o_evloop_destroy(loop);
    return rc;
}
