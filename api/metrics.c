/* The API's metrics (see metrics.h). */
#include "api/metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/router.h"
#include "dns/message.h"

#define MAX_LOOPS 64
#define MAX_ROUTES 48
#define N_BUCKETS 12
#define N_CLASSES 5 /* 1xx..5xx */

/* upper bounds of the latency buckets, in seconds */
static const double bucket_le[N_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                            0.05,   0.1,   0.25,   0.5,   1,    2.5};

typedef struct {
    atomic_ullong by_class[N_CLASSES];
    atomic_ullong buckets[N_BUCKETS + 1]; /* the last: above every bound */
    atomic_ullong sum_us;
} route_counts_t;

struct api_metrics {
    int loop;
    route_counts_t routes[MAX_ROUTES + 1]; /* the last: no route matched */
    atomic_ullong db_errors;
    /* DNS messages: [query, update, other][rcode 0..DNS_RCODES-1, the last: none sent] */
    atomic_ullong dns[3][DNS_RCODES + 1];
    atomic_ullong rate_limited[DNSAPI_RATE_BUDGETS];
    atomic_ullong db_rounds, db_pool_errors;
    atomic_uint db_connections, db_ready, db_busy, db_queued;
    atomic_int *connections; /* the loop's own counter (api/server.c) */
};

static api_metrics_t *loops[MAX_LOOPS];
static atomic_int n_loops;

api_metrics_t *api_metrics_new(int loop, atomic_int *connections)
{
    if (loop < 0 || loop >= MAX_LOOPS) {
        return NULL;
    }
    api_metrics_t *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return NULL;
    }
    m->loop = loop;
    m->connections = connections;
    loops[loop] = m;
    int n = atomic_load(&n_loops);
    while (n <= loop && !atomic_compare_exchange_weak(&n_loops, &n, loop + 1)) {
    }
    return m;
}

void api_metrics_count(api_metrics_t *m, int route, int status, uint64_t duration_ns)
{
    if (m == NULL) {
        return;
    }
    route_counts_t *rc = &m->routes[route >= 0 && route < MAX_ROUTES ? route : MAX_ROUTES];
    int cls = status / 100 - 1;
    if (cls >= 0 && cls < N_CLASSES) {
        atomic_fetch_add_explicit(&rc->by_class[cls], 1, memory_order_relaxed);
    }
    double s = (double)duration_ns / 1e9;
    size_t b = 0;
    while (b < N_BUCKETS && s > bucket_le[b]) {
        b++;
    }
    atomic_fetch_add_explicit(&rc->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&rc->sum_us, duration_ns / 1000, memory_order_relaxed);
}

void api_metrics_db_error(api_metrics_t *m)
{
    if (m != NULL) {
        atomic_fetch_add_explicit(&m->db_errors, 1, memory_order_relaxed);
    }
}

void api_metrics_dns(api_metrics_t *m, unsigned opcode, int rcode)
{
    if (m == NULL) {
        return;
    }
    int op = opcode == 0 ? 0 : opcode == 5 ? 1 : 2;
    int rc = rcode < 0 || rcode >= DNS_RCODES ? DNS_RCODES : rcode;
    atomic_fetch_add_explicit(&m->dns[op][rc], 1, memory_order_relaxed);
}

void api_metrics_rate_limited(api_metrics_t *m, int budget)
{
    if (m != NULL && budget >= 0 && budget < DNSAPI_RATE_BUDGETS) {
        atomic_fetch_add_explicit(&m->rate_limited[budget], 1, memory_order_relaxed);
    }
}

void api_metrics_publish(api_metrics_t *m, const db_pool_stats_t *pool)
{
    if (m == NULL) {
        return;
    }
    atomic_store_explicit(&m->db_connections, (unsigned)pool->connections, memory_order_relaxed);
    atomic_store_explicit(&m->db_ready, (unsigned)pool->ready, memory_order_relaxed);
    atomic_store_explicit(&m->db_busy, (unsigned)pool->busy, memory_order_relaxed);
    atomic_store_explicit(&m->db_queued, (unsigned)pool->queued, memory_order_relaxed);
    atomic_store_explicit(&m->db_rounds, pool->rounds, memory_order_relaxed);
    atomic_store_explicit(&m->db_pool_errors, pool->errors, memory_order_relaxed);
}

#define LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)

static void line(strbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line(strbuf_t *b, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof(buf)) {
        strbuf_add(b, buf, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (big == NULL) {
        b->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    strbuf_add(b, big, (size_t)n);
    free(big);
}

/* A route's label: its template and method, or "none". */
static void route_label(int k, char *out, size_t len)
{
    const api_route_t *rt = router_route(k);
    if (rt == NULL) {
        snprintf(out, len, "route=\"none\",method=\"\"");
    } else {
        snprintf(out, len, "route=\"%s\",method=\"%s\"", rt->template, rt->method);
    }
}

/* Requests refused by budget, and the table that holds the budgets. */
static void render_rate(strbuf_t *b, ratelimit_t *rl, int nl)
{
    line(b, "# HELP dnsapi_rate_limited_total Requests answered 429 rate_limited, by budget of "
            "DNSAPI_RATE_LIMIT.\n"
            "# TYPE dnsapi_rate_limited_total counter\n");
    for (int k = 0; k < DNSAPI_RATE_BUDGETS; k++) {
        unsigned long long v = 0;
        for (int l = 0; l < nl; l++) {
            if (loops[l] != NULL) {
                v += LOAD(loops[l]->rate_limited[k]);
            }
        }
        line(b, "dnsapi_rate_limited_total{budget=\"%s\"} %llu\n", dnsapi_rate_budget_name(k), v);
    }
    ratelimit_stats_t st = {0};
    if (rl != NULL) {
        ratelimit_stats(rl, &st);
    }
    line(b,
         "# HELP dnsapi_rate_limit_keys Tokens and addresses the rate-limit table holds; "
         "at most dnsapi_rate_limit_keys_max.\n"
         "# TYPE dnsapi_rate_limit_keys gauge\n"
         "dnsapi_rate_limit_keys %zu\n"
         "# HELP dnsapi_rate_limit_keys_max Slots of the rate-limit table (0: limits off).\n"
         "# TYPE dnsapi_rate_limit_keys_max gauge\n"
         "dnsapi_rate_limit_keys_max %zu\n"
         "# HELP dnsapi_rate_limit_evictions_total Tokens or addresses forgotten to make room "
         "before their budget was full again.\n"
         "# TYPE dnsapi_rate_limit_evictions_total counter\n"
         "dnsapi_rate_limit_evictions_total %llu\n",
         st.used, st.slots, st.evictions);
}

void api_metrics_render(strbuf_t *b, ratelimit_t *rl)
{
    int nl = atomic_load(&n_loops);
    size_t nr = router_count() < MAX_ROUTES ? router_count() : MAX_ROUTES;
    char label[160];
    line(b, "# HELP dnsapi_http_requests_total Answers sent, by route, method and status class.\n"
            "# TYPE dnsapi_http_requests_total counter\n");
    for (size_t k = 0; k <= nr; k++) {
        int idx = k == nr ? MAX_ROUTES : (int)k;
        route_label(k == nr ? -1 : (int)k, label, sizeof(label));
        for (int c = 0; c < N_CLASSES; c++) {
            unsigned long long v = 0;
            for (int l = 0; l < nl; l++) {
                if (loops[l] != NULL) {
                    v += LOAD(loops[l]->routes[idx].by_class[c]);
                }
            }
            if (v > 0 || c == 1 || c == 3 || c == 4) {
                line(b, "dnsapi_http_requests_total{%s,class=\"%dxx\"} %llu\n", label, c + 1, v);
            }
        }
    }
    line(b, "# HELP dnsapi_http_request_duration_seconds Time from a request's arrival to its "
            "answer, by route.\n"
            "# TYPE dnsapi_http_request_duration_seconds histogram\n");
    for (size_t k = 0; k <= nr; k++) {
        int idx = k == nr ? MAX_ROUTES : (int)k;
        route_label(k == nr ? -1 : (int)k, label, sizeof(label));
        unsigned long long cum = 0, sum_us = 0;
        for (int bk = 0; bk <= N_BUCKETS; bk++) {
            for (int l = 0; l < nl; l++) {
                if (loops[l] != NULL) {
                    cum += LOAD(loops[l]->routes[idx].buckets[bk]);
                }
            }
            if (bk < N_BUCKETS) {
                line(b, "dnsapi_http_request_duration_seconds_bucket{%s,le=\"%g\"} %llu\n", label,
                     bucket_le[bk], cum);
            }
        }
        for (int l = 0; l < nl; l++) {
            if (loops[l] != NULL) {
                sum_us += LOAD(loops[l]->routes[idx].sum_us);
            }
        }
        line(b, "dnsapi_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n", label, cum);
        line(b, "dnsapi_http_request_duration_seconds_sum{%s} %.6f\n", label, (double)sum_us / 1e6);
        line(b, "dnsapi_http_request_duration_seconds_count{%s} %llu\n", label, cum);
    }
    unsigned long long db_err = 0, rounds = 0, pool_err = 0;
    unsigned conns = 0, ready = 0, busy = 0, queued = 0;
    long long clients = 0;
    for (int l = 0; l < nl; l++) {
        api_metrics_t *m = loops[l];
        if (m == NULL) {
            continue;
        }
        db_err += LOAD(m->db_errors);
        rounds += LOAD(m->db_rounds);
        pool_err += LOAD(m->db_pool_errors);
        conns += LOAD(m->db_connections);
        ready += LOAD(m->db_ready);
        busy += LOAD(m->db_busy);
        queued += LOAD(m->db_queued);
        clients += atomic_load(m->connections);
    }
    line(b, "# HELP dnsapi_http_connections Open client connections, by event loop.\n"
            "# TYPE dnsapi_http_connections gauge\n");
    for (int l = 0; l < nl; l++) {
        if (loops[l] != NULL) {
            line(b, "dnsapi_http_connections{loop=\"%d\"} %d\n", l,
                 atomic_load(loops[l]->connections));
        }
    }
    line(b,
         "# HELP dnsapi_http_connections_all Open client connections, every loop.\n"
         "# TYPE dnsapi_http_connections_all gauge\n"
         "dnsapi_http_connections_all %lld\n"
         "# HELP dnsapi_db_connections Database connections of the pools, by state.\n"
         "# TYPE dnsapi_db_connections gauge\n"
         "dnsapi_db_connections{state=\"configured\"} %u\n"
         "dnsapi_db_connections{state=\"ready\"} %u\n"
         "dnsapi_db_connections{state=\"busy\"} %u\n"
         "# HELP dnsapi_db_queue Operations waiting for a database connection.\n"
         "# TYPE dnsapi_db_queue gauge\n"
         "dnsapi_db_queue %u\n"
         "# HELP dnsapi_db_rounds_total Database round trips.\n"
         "# TYPE dnsapi_db_rounds_total counter\n"
         "dnsapi_db_rounds_total %llu\n"
         "# HELP dnsapi_db_errors_total Requests answered 503 because the database failed or "
         "could not be reached.\n"
         "# TYPE dnsapi_db_errors_total counter\n"
         "dnsapi_db_errors_total %llu\n"
         "# HELP dnsapi_db_connection_failures_total Database connections lost or refused.\n"
         "# TYPE dnsapi_db_connection_failures_total counter\n"
         "dnsapi_db_connection_failures_total %llu\n",
         (long long)clients, conns, ready, busy, queued, rounds, db_err, pool_err);
    static const char *const ops[3] = {"query", "update", "other"};
    line(b, "# HELP dnsapi_dns_messages_total DNS messages the UPDATE listener answered, by "
            "opcode and rcode (none: dropped unanswered).\n"
            "# TYPE dnsapi_dns_messages_total counter\n");
    for (int op = 0; op < 3; op++) {
        for (int rc = 0; rc <= DNS_RCODES; rc++) {
            unsigned long long v = 0;
            for (int l = 0; l < nl; l++) {
                v += loops[l] != NULL ? LOAD(loops[l]->dns[op][rc]) : 0;
            }
            /* the two outcomes every deployment has, and whatever else occurred */
            if (v > 0 || (op == 1 && (rc == DNS_RCODE_NOERROR || rc == DNS_RCODE_REFUSED))) {
                line(b, "dnsapi_dns_messages_total{opcode=\"%s\",rcode=\"%s\"} %llu\n", ops[op],
                     rc == DNS_RCODES ? "none" : dns_rcode_name((uint16_t)rc), v);
            }
        }
    }
    render_rate(b, rl, nl);
}
