/*
 * dnsapi zone set-nameservers ZONE NS...   replace a zone's name servers
 * dnsapi zone set-nameservers --all        every zone to DNSAPI_NAMESERVERS
 *
 * The change goes through the write engine of the API (api/write.h,
 * api/nameservers.h) on an event loop of its own, with the operator as the
 * asker: the same change, rules, transaction, serial step and audit trail
 * as PUT /v1/zones/{zone}/nameservers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/nameservers.h"
#include "cli/commands.h"
#include "common/config.h"
#include "common/log.h"
#include "dns/dns.h"
#include "storage/db_pool.h"
#include "storage/store_admin.h"

#define WRITE_TIMEOUT_SECONDS 120
#define ALL_BATCH 100

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: dnsapi zone set-nameservers ZONE NS NS...\n"
            "       dnsapi zone set-nameservers --all\n\n"
            "Replaces the apex NS set of ZONE by the host names given (at least two; the\n"
            "first becomes the SOA's MNAME), with the rules of PUT\n"
            "/v1/zones/{zone}/nameservers: one serial step, an audit entry per record, and\n"
            "the zone generator publishes it. A name server inside the zone needs its A/AAAA\n"
            "record in the zone already. Prints the zone, its name servers and its serial;\n"
            "exit status 1 when the change is refused (why on stderr), nothing changed.\n"
            "--all gives every zone the name servers of DNSAPI_NAMESERVERS, %d zones at a\n"
            "time, with progress on stderr.\n\n%s",
            ALL_BATCH, dnsapi_config_help);
}

/* One write, run to its end on the command's loop. */
typedef struct {
    bool done;
    int rc; /* 0 changed or already so, 1 refused */
    bool changed;
    char zone[DNS_NAME_BUFSIZE];
} cli_write_t;

static void cli_hold(api_write_t *w)
{
    (void)w;
}

static bool cli_resume(api_write_t *w)
{
    (void)w;
    return true;
}

static void cli_fail(api_write_t *w, const dnsapi_err_t *err)
{
    cli_write_t *c = w->host_ctx;
    LOG_EVENT(LOG_LEVEL_ERROR, "%s: %s", c->zone, err->message);
    c->rc = 1;
    c->done = true;
}

static void cli_fail_report(api_write_t *w, const dns_report_t *rep)
{
    cli_write_t *c = w->host_ctx;
    for (size_t i = 0; i < rep->n_errors; i++) {
        const dns_problem_t *p = &rep->errors[i];
        if (p->op != NULL && p->op->list != NULL) {
            LOG_EVENT(LOG_LEVEL_ERROR, "%s: %s[%zu] (%s): %s", c->zone, p->op->list, p->op->index,
                      p->op->rec.content != NULL ? p->op->rec.content : p->op->fields.content,
                      p->err.message);
        } else {
            LOG_EVENT(LOG_LEVEL_ERROR, "%s: %s", c->zone, p->err.message);
        }
    }
    c->rc = 1;
    c->done = true;
}

static void cli_replay(api_write_t *w, int status, const char *body, size_t len)
{
    (void)status, (void)body, (void)len;
    cli_write_t *c = w->host_ctx;
    c->done = true; /* never keyed */
}

static const api_write_host_t CLI_HOST = {cli_hold, cli_resume, cli_fail, cli_fail_report,
                                          cli_replay};

static int no_extra_records(api_write_t *w)
{
    (void)w;
    return DNSAPI_OK;
}

static void cli_answer(api_write_t *w, const store_written_t *res)
{
    cli_write_t *c = w->host_ctx;
    /* without a key the write round has committed */
    store_tx_end(w->tx);
    w->tx = NULL;
    c->changed = res != NULL;
    printf("%s", c->zone);
    for (size_t i = 0; i < w->change.n_apex_ns; i++) {
        printf("%s%s", i == 0 ? "\t" : " ", w->change.apex_ns[i]);
    }
    printf("\tserial %u%s\n", res != NULL ? res->serial : w->zone_serial,
           res != NULL ? "" : " (unchanged)");
    for (size_t i = 0; i < w->report.n_warnings; i++) {
        LOG_EVENT(LOG_LEVEL_WARN, "%s: %s", c->zone, w->report.warnings[i].message);
    }
    c->done = true;
}

/* Makes names the name servers of zone (absolute) of account; 0 done, 1
 * refused or failed. */
static int set_one(h2o_evloop_t *loop, db_pool_t *db, const dnsapi_config_t *cfg,
                   const char *account_id, const char *zone, const char *const *names, size_t n,
                   bool *changed)
{
    cli_write_t c = {.done = false, .rc = 0};
    snprintf(c.zone, sizeof(c.zone), "%s", zone);
    store_auth_t auth = {.account_id = account_id, .operator_cli = true};
    api_write_t *w = api_write_new_for(&CLI_HOST, &c, 8);
    w->db = db;
    w->auth = &auth;
    w->zone_key = c.zone;
    w->limits = (dns_limits_t){cfg->ttl_min, cfg->ttl_max};
    api_nameservers_setup(w, names, n);
    w->build = no_extra_records;
    w->answer = cli_answer;
    api_write_start(w);
    time_t deadline = time(NULL) + WRITE_TIMEOUT_SECONDS;
    while (!c.done && time(NULL) < deadline) {
        h2o_evloop_run(loop, 100);
    }
    api_write_free(w);
    if (!c.done) {
        LOG_EVENT(LOG_LEVEL_ERROR, "%s: no answer from the database within %d s", zone,
                  WRITE_TIMEOUT_SECONDS);
        return 1;
    }
    if (changed != NULL) {
        *changed = c.changed;
    }
    return c.rc;
}

/* Every zone to the configured name servers, ALL_BATCH at a time. */
static int set_all(PGconn *pc, h2o_evloop_t *loop, db_pool_t *db, const dnsapi_config_t *cfg)
{
    const char *names[DNSAPI_CONFIG_MAX_LIST];
    for (size_t i = 0; i < cfg->n_nameservers; i++) {
        names[i] = cfg->nameservers[i];
    }
    store_admin_zone_row_t *rows = calloc(ALL_BATCH, sizeof(*rows));
    if (rows == NULL) {
        abort();
    }
    char after[DNS_NAME_BUFSIZE] = "";
    size_t seen = 0, changed = 0, failed = 0;
    int rc = 0;
    for (;;) {
        size_t n = 0;
        dnsapi_err_t e;
        dnsapi_err_clear(&e);
        if (store_admin_zone_page(pc, after, ALL_BATCH, rows, &n, &e) != DNSAPI_OK) {
            LOG_EVENT(LOG_LEVEL_ERROR, "%s", e.message);
            rc = 1;
            break;
        }
        if (n == 0) {
            break;
        }
        for (size_t i = 0; i < n; i++) {
            bool ch = false;
            if (set_one(loop, db, cfg, rows[i].account_id, rows[i].name, names, cfg->n_nameservers,
                        &ch) != 0) {
                failed++;
            }
            changed += ch;
        }
        seen += n;
        snprintf(after, sizeof(after), "%s", rows[n - 1].name);
        fprintf(stderr, "set-nameservers --all: %zu zones done (%zu changed, %zu refused)\n", seen,
                changed, failed);
    }
    free(rows);
    return rc != 0 || failed > 0 ? 1 : 0;
}

static int set_nameservers(int argc, char **argv)
{
    bool all = argc == 3 && strcmp(argv[2], "--all") == 0;
    if (!all && (argc < 4 || argv[2][0] == '-')) {
        usage(stderr);
        return 2;
    }
    if (!all && argc > 3 + DNS_NAMESERVERS_MAX) {
        LOG_EVENT(LOG_LEVEL_ERROR, "at most %d name servers", DNS_NAMESERVERS_MAX);
        return 2;
    }
    dnsapi_config_t cfg;
    PGconn *pc = cli_open("zone", &cfg, all ? DNSAPI_NEED_NAMESERVERS : 0);
    if (pc == NULL) {
        return 1;
    }
    char zone[DNS_NAME_BUFSIZE], account_id[40];
    dnsapi_err_t e;
    dnsapi_err_clear(&e);
    if (!all && (dns_zone_name_normalize(argv[2], zone, sizeof(zone), &e) != DNSAPI_OK ||
                 store_admin_zone_find(pc, zone, account_id, &e) != DNSAPI_OK)) {
        PQfinish(pc);
        LOG_EVENT(LOG_LEVEL_ERROR, "%s", e.message);
        return 1;
    }
    h2o_evloop_t *loop = h2o_evloop_create();
    db_pool_t *db = db_pool_new(loop, cfg.database_url, 1, 4, cfg.db_timeout_ms);
    int rc;
    if (all) {
        rc = set_all(pc, loop, db, &cfg);
    } else {
        rc = set_one(loop, db, &cfg, account_id, zone, (const char *const *)argv + 3,
                     (size_t)argc - 3, NULL);
    }
    PQfinish(pc);
    db_pool_free(db);
    /* let the pool's closed sockets leave the loop before it goes */
    h2o_evloop_run(loop, 0);
    h2o_evloop_destroy(loop);
    return rc;
}

int cmd_zone(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "set-nameservers") == 0) {
        return set_nameservers(argc, argv);
    }
    usage(stderr);
    return 2;
}
