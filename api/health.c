/*
 * GET /healthz (the process answers), /readyz (the database answers and is
 * migrated), /metrics (every loop's counters, Prometheus text).
 */
#include "api/api.h"
#include "api/metrics.h"
#include "storage/store_health.h"

void handle_healthz(api_req_t *r)
{
    json_t *d = json_object();
    json_object_set_new(d, "status", json_string("ok"));
    api_answer(r, 200, d);
}

static void on_ready(void *ctx, bool ready)
{
    api_req_t *r = ctx;
    if (!api_resume(r)) {
        return;
    }
    if (!ready) {
        api_failf(r, DNSAPI_EDB, NULL, NULL,
                  "the database is unreachable or not migrated; retry after Retry-After");
        return;
    }
    json_t *d = json_object();
    json_object_set_new(d, "status", json_string("ready"));
    api_answer(r, 200, d);
}

void handle_readyz(api_req_t *r)
{
    store_health_ready(r->thread->db, on_ready, api_hold(r));
}

void handle_metrics(api_req_t *r)
{
    api_thread_t *t = r->thread;
    db_pool_stats_t st;
    db_pool_stats(t->db, &st);
    api_metrics_publish(t->metrics, &st);
    strbuf_t b = {0};
    api_metrics_render(&b, t->rate);
    if (b.failed) {
        strbuf_free(&b);
        api_failf(r, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        return;
    }
    api_answer_text(r, 200, "text/plain; version=0.0.4", strbuf_str(&b), b.len);
    strbuf_free(&b);
}
