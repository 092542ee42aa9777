/*
 * sweep.c - one round of dirty zones, in steps, each over the whole batch:
 *
 *   1. prepare  under each zone's advisory lock: render the master file
 *               when the serial moved (or the file is missing)
 *   2. members  new zones: DNSAPI_ZONES_ADD_CMD once for all of them (or
 *               the includes), then the catalog
 *   3. reload   DNSAPI_RELOAD_CMD per zone whose file the primary has not
 *               loaded yet; DNSAPI_NOTIFY
 *   4. check    every (zone, server) pair in parallel, one bounded wait
 *   5. store    per server serial, in_sync, error; per zone the serial
 *               every server serves; then the locks are released
 *
 * A batch costs one add command, one catalog write and one wait, however
 * many zones it holds; a zone that fails a step leaves the batch with its
 * error and is retried with backoff, the others go on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "dns/dns.h"
#include "zonegen/file.h"
#include "zonegen/hook.h"
#include "zonegen/internal.h"
#include "zonegen/log.h"
#include "zonegen/probe.h"
#include "zonegen/render.h"

#define DIRTY_BATCH 500
#define DOWN_BUDGET_MS 1000 /* what a server silent in its last round gets */
#define PROBE_EVERY_MS 1000
#define RENOTIFY_MAX 64 /* NOTIFYs zonegen repeats per round */

typedef struct {
    store_zonegen_zone_t z;
    char path[PATH_MAX + 300];
    char tmp[PATH_MAX + 340]; /* the staged file while rendered and not committed */
    uint32_t serial;          /* the serial to publish */
    int rendered;
    int is_new; /* not a member before this round */
    int failed; /* left the batch */
} work_t;

typedef struct {
    work_t *w;
    size_t n;
} batch_t;

void zonegen_zone_fail(zonegen_t *zg, const store_zonegen_zone_t *z, const char *what,
                       const char *msg)
{
    char err[512], text[1024];
    snprintf(text, sizeof(text), "%s: %s", what, msg);
    if (store_zonegen_error_set(zg->conn, z->id, text, err, sizeof(err)) != DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "zone %s: cannot store last_error: %s", z->name, err);
    }
    long long pause = zonegen_backoff_note_failure(zg, z->id);
    ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "zone %s: %s; stays pending, retry in %lld ms", z->name, text,
                pause);
    zg->failures++;
}

static void work_fail(zonegen_t *zg, work_t *w, zonegen_step_t step, const char *what,
                      const char *msg)
{
    zonegen_zone_fail(zg, &w->z, what, msg);
    zonegen_metrics_failed(zg->metrics, step, 1);
    w->failed = 1;
}

/* ---- 1. prepare ------------------------------------------------------- */

typedef struct {
    PGconn *conn;
    const store_zonegen_zone_t *zone;
    uint32_t serial;
    size_t count;
} zone_fill_t;

static int zone_fill(FILE *fp, void *arg, char *errbuf, size_t errlen)
{
    zone_fill_t *zf = arg;
    return zonegen_zone_render(zf->conn, zf->zone->id, zf->zone->name, fp, &zf->serial, &zf->count,
                               errbuf, errlen);
}

/* Takes the zone's lock and renders it when needed. Returns 1 when the
 * zone joins the batch (lock held), 0 when not (lock released). */
static int zone_prepare(zonegen_t *zg, const char *id, int force, work_t *w)
{
    char err[1024];
    memset(w, 0, sizeof(*w));
    int got = store_zonegen_lock_try(zg->conn, id, err, sizeof(err));
    if (got <= 0) {
        if (got < 0) {
            ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "zone %s: %s", id, err);
            zg->failures++;
        } else {
            ZONEGEN_LOG(ZONEGEN_LOG_INFO, "zone %s: another zonegen holds its lock; skipped", id);
        }
        return 0;
    }
    /* Read again under the lock: another zonegen may have just done it. */
    int rc = store_zonegen_zone_get(zg->conn, id, 'i', &w->z, err, sizeof(err));
    if (rc != DNSAPI_OK) {
        if (rc != DNSAPI_ENOTFOUND) { /* deleted meanwhile: the tombstones say so */
            ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "%s", err);
            zg->failures++;
        }
        goto skip;
    }
    store_zonegen_zone_t *z = &w->z;
    if (zonegen_file_zone_path(zg->dir, z->name, w->path, sizeof(w->path)) != 0) {
        zonegen_zone_fail(zg, z, "render", "zone file path too long");
        goto skip;
    }
    w->serial = z->exported_serial;
    int render =
        force || !z->has_exported || z->exported_serial != z->serial || access(w->path, F_OK) != 0;
    if (!render && z->has_published && z->published_serial == z->serial) {
        goto skip;
    }
    if (render) {
        long long t0 = zonegen_now_ms();
        zone_fill_t zf = {.conn = zg->conn, .zone = z};
        rc = zonegen_file_stage(w->path, zone_fill, &zf, w->tmp, sizeof(w->tmp), err, sizeof(err));
        if (rc != DNSAPI_OK) {
            zonegen_zone_fail(zg, z, "render", err);
            zonegen_metrics_failed(zg->metrics, ZONEGEN_STEP_RENDER, 1);
            goto skip;
        }
        w->serial = zf.serial;
        w->rendered = 1;
        ZONEGEN_LOG(ZONEGEN_LOG_DEBUG, "zone %s: wrote %s serial %u (%zu records, %lld ms)",
                    z->name, w->path, w->serial, zf.count, zonegen_now_ms() - t0);
    }
    zonegen_member_t *m = zonegen_members_find(&zg->members, z->name);
    w->is_new = m == NULL;
    if (m != NULL && strcmp(m->id, z->id) != 0) {
        /* The same name under a new id: a zone deleted and made again. */
        snprintf(m->id, sizeof(m->id), "%s", z->id);
        zg->catalog_dirty = 1;
    }
    return 1;
skip:
    if (store_zonegen_lock_release(zg->conn, id, err, sizeof(err)) != DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "zone %s: %s", id, err);
    }
    return 0;
}

/* The staged files take their places, made durable together, and the
 * database learns their serials in one statement. */
static void batch_commit(zonegen_t *zg, batch_t *b)
{
    char **tmps = calloc(b->n + 1, sizeof(*tmps)), **paths = calloc(b->n + 1, sizeof(*paths));
    const char **ids = calloc(b->n + 1, sizeof(*ids));
    uint32_t *serials = calloc(b->n + 1, sizeof(*serials));
    size_t k = 0;
    char err[1024];
    if (tmps == NULL || paths == NULL || ids == NULL || serials == NULL) {
        snprintf(err, sizeof(err), "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < b->n; i++) {
        if (b->w[i].rendered) {
            tmps[k] = b->w[i].tmp;
            paths[k] = b->w[i].path;
            ids[k] = b->w[i].z.id;
            serials[k] = b->w[i].serial;
            k++;
        }
    }
    if (zonegen_file_commit(zg->dir, tmps, paths, k, err, sizeof(err)) != DNSAPI_OK ||
        store_zonegen_exported_set_many(zg->conn, ids, serials, k, err, sizeof(err)) != DNSAPI_OK) {
        goto fail;
    }
    zonegen_metrics_rendered(zg->metrics, k);
    goto done;
fail:
    for (size_t i = 0; i < b->n; i++) {
        if (b->w[i].rendered && !b->w[i].failed) {
            unlink(b->w[i].tmp);
            work_fail(zg, &b->w[i], ZONEGEN_STEP_RENDER, "render", err);
        }
    }
done:
    free(tmps);
    free(paths);
    free(ids);
    free(serials);
}

/* ---- 2. members ------------------------------------------------------- */

static void batch_members(zonegen_t *zg, batch_t *b)
{
    char **names = calloc(b->n + 1, sizeof(*names));
    size_t k = 0;
    if (names == NULL) {
        return;
    }
    for (size_t i = 0; i < b->n; i++) {
        if (b->w[i].is_new && !b->w[i].failed) {
            names[k++] = b->w[i].z.name;
        }
    }
    if (k > 0) {
        char err[1024];
        if (zonegen_primary_add(zg, names, k, err, sizeof(err)) != DNSAPI_OK) {
            for (size_t i = 0; i < b->n; i++) {
                if (b->w[i].is_new && !b->w[i].failed) {
                    work_fail(zg, &b->w[i], ZONEGEN_STEP_RELOAD, "add", err);
                }
            }
            k = 0;
        }
        for (size_t i = 0; i < b->n && k > 0; i++) {
            if (b->w[i].is_new && !b->w[i].failed &&
                zonegen_members_append(&zg->members, b->w[i].z.name, b->w[i].z.id) != 0) {
                work_fail(zg, &b->w[i], ZONEGEN_STEP_RENDER, "include", "out of memory");
            }
        }
        if (k > 0 && zonegen_members_merge(&zg->members) == 0) {
            zg->catalog_dirty = 1;
            zg->includes_dirty = 1;
        }
    }
    free(names);
    if (zg->includes_dirty && zonegen_includes_write(zg) != DNSAPI_OK) {
        for (size_t i = 0; i < b->n; i++) {
            if (b->w[i].is_new && !b->w[i].failed && zg->cfg->zones_add_cmd[0] == '\0') {
                work_fail(zg, &b->w[i], ZONEGEN_STEP_RELOAD, "include",
                          "cannot rewrite the name-server includes");
            }
        }
    }
    if (zg->catalog_dirty) {
        zonegen_catalog_publish(zg, 0);
    }
}

/* ---- 3. reload -------------------------------------------------------- */

static void batch_reload(zonegen_t *zg, batch_t *b)
{
    const dnsapi_config_t *cfg = zg->cfg;
    char err[1024], why[900], cmd[4096];
    for (size_t i = 0; i < b->n && !zonegen_stopping(zg); i++) {
        work_t *w = &b->w[i];
        if (w->failed) {
            continue;
        }
        /* The add command loaded a new zone; a zone the primary already
         * serves at this serial needs nothing (a retry for a secondary). */
        int loaded_by_add = w->is_new && cfg->zones_add_cmd[0] != '\0';
        int current = !w->rendered && w->z.primary_current && w->z.publish_failures == 0;
        if (cfg->reload_cmd[0] != '\0' && !loaded_by_add && !current) {
            if (zonegen_hook_expand(cfg->reload_cmd, w->z.name, w->path, cmd, sizeof(cmd)) != 0) {
                work_fail(zg, w, ZONEGEN_STEP_RELOAD, "reload",
                          "DNSAPI_RELOAD_CMD is too long once expanded");
                continue;
            }
            if (zonegen_hook_run(cmd, zg->opt->hook_timeout_ms, why, sizeof(why)) != DNSAPI_OK) {
                snprintf(err, sizeof(err), "DNSAPI_RELOAD_CMD %s", why);
                work_fail(zg, w, ZONEGEN_STEP_RELOAD, "reload", err);
                continue;
            }
        }
        for (size_t k = 0; k < cfg->n_notify && (w->rendered || !current); k++) {
            if (zonegen_notify_send(&cfg->notify[k], w->z.name, zg->opt->notify_timeout_ms, err,
                                    sizeof(err)) != DNSAPI_OK) {
                ZONEGEN_LOG(ZONEGEN_LOG_WARN, "zone %s: notify: %s", w->z.name, err);
                zonegen_metrics_failed(zg->metrics, ZONEGEN_STEP_NOTIFY, 1);
            }
        }
    }
}

/* ---- 4. and 5. check and store ---------------------------------------- */

static void on_published(const char *zone_id, double age, void *ctx)
{
    zonegen_t *zg = ctx;
    (void)zone_id;
    zonegen_metrics_published(zg->metrics, age);
}

/* The serial every server serves: the oldest answer in RFC 1982 order.
 * Returns 0 when some server gave none. */
static int published_of(const zonegen_check_t *c, size_t n, uint32_t *out)
{
    for (size_t i = 0; i < n; i++) {
        if (!c[i].has_serial) {
            return 0;
        }
        if (i == 0 || dns_serial_compare(c[i].serial, *out) < 0) {
            *out = c[i].serial;
        }
    }
    return 1;
}

static void round_servers(zonegen_t *zg, zonegen_check_server_t *cs)
{
    for (size_t s = 0; s < zg->n_servers; s++) {
        cs[s] = (zonegen_check_server_t){
            .name = zg->servers[s].name,
            .addr = zg->servers[s].addr,
            .secondary = zg->servers[s].secondary,
            .sign = zg->servers[s].secondary && zg->cfg->has_tsig_key,
            .budget_ms = zg->servers[s].down_rounds > 0 ? DOWN_BUDGET_MS : 0,
        };
    }
}

/*
 * A secondary that answers but lags missed the primary's NOTIFY (it was
 * down, or its key was wrong until now): zonegen, beside the primary,
 * sends it one again, signed, for the zone and, if it does not even have
 * the zone, for the catalog. Bounded per round; answers are not waited
 * for beyond a short limit.
 */
static void renotify(zonegen_t *zg, const zonegen_check_t *checks, size_t n,
                     const zonegen_check_server_t *cs)
{
    const dnsapi_tsig_key_t *key = zg->cfg->has_tsig_key ? &zg->cfg->tsig_key : NULL;
    unsigned char *catalog_sent = calloc(zg->n_servers + 1, 1);
    int budget = RENOTIFY_MAX;
    char err[512];
    for (size_t i = 0; catalog_sent != NULL && i < n && budget > 0; i++) {
        size_t s = checks[i].server;
        zonegen_check_result_t r = checks[i].result;
        if (!zg->servers[s].secondary || !cs[s].answered ||
            (r != ZONEGEN_CHECK_BEHIND && r != ZONEGEN_CHECK_NOT_SERVED)) {
            continue;
        }
        if (r == ZONEGEN_CHECK_NOT_SERVED && zg->cfg->catalog[0] && !catalog_sent[s]) {
            catalog_sent[s] = 1;
            budget--;
            if (zonegen_notify_send_signed(zg->servers[s].addr, zg->cfg->catalog, key, 500, err,
                                           sizeof(err)) != DNSAPI_OK) {
                ZONEGEN_LOG(ZONEGEN_LOG_DEBUG, "notify: %s", err);
            }
        }
        budget--;
        if (zonegen_notify_send_signed(zg->servers[s].addr, checks[i].zone, key, 500, err,
                                       sizeof(err)) != DNSAPI_OK) {
            ZONEGEN_LOG(ZONEGEN_LOG_DEBUG, "notify: %s", err);
        }
    }
    free(catalog_sent);
}

/* Checks the zones still in the batch and stores the answers. */
static void batch_check(zonegen_t *zg, batch_t *b)
{
    size_t ns = zg->n_servers, live = 0;
    for (size_t i = 0; i < b->n; i++) {
        live += !b->w[i].failed;
    }
    if (live == 0) {
        return;
    }
    zonegen_check_t *checks = calloc(live * ns + 1, sizeof(*checks));
    zonegen_check_server_t *cs = calloc(ns + 1, sizeof(*cs));
    store_zonegen_check_row_t *rows = calloc(live * ns + 1, sizeof(*rows));
    store_zonegen_zone_result_t *zr = calloc(live + 1, sizeof(*zr));
    char(*zerr)[1024] = calloc(live + 1, sizeof(*zerr));
    if (checks == NULL || cs == NULL || rows == NULL || zr == NULL || zerr == NULL) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "checks: out of memory");
        goto done;
    }
    round_servers(zg, cs);
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++) {
        for (size_t s = 0; !b->w[i].failed && s < ns; s++) {
            checks[n++] =
                (zonegen_check_t){.zone = b->w[i].z.name, .want = b->w[i].serial, .server = s};
        }
    }
    zonegen_check_round_t round = {
        .servers = cs,
        .n_servers = ns,
        .total_ms = zg->opt->verify_ms,
        .key = zg->cfg->has_tsig_key ? &zg->cfg->tsig_key : NULL,
        .catalog = zg->cfg->catalog[0] ? zg->cfg->catalog : NULL,
        .stop = zg->opt->stop,
    };
    long long t0 = zonegen_now_ms();
    if (n > 0 && zonegen_check_run(&round, checks, n) != DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "checks: cannot run a round");
        goto done;
    }
    if (zonegen_stopping(zg)) {
        ZONEGEN_LOG(ZONEGEN_LOG_INFO, "stopping before the checks ended; the next start checks "
                                      "again");
        goto done;
    }
    for (size_t s = 0; s < ns; s++) {
        zg->servers[s].down_rounds = cs[s].answered ? 0 : zg->servers[s].down_rounds + 1;
    }
    renotify(zg, checks, n, cs);
    size_t z = 0, r = 0, c = 0, in_sync_zones = 0;
    for (size_t i = 0; i < b->n; i++) {
        work_t *w = &b->w[i];
        if (w->failed) {
            continue;
        }
        zonegen_check_t *zc = &checks[c];
        size_t bad = 0;
        const char *first = NULL, *first_name = NULL;
        for (size_t s = 0; s < ns; s++, c++) {
            int ok = checks[c].result == ZONEGEN_CHECK_IN_SYNC;
            rows[r++] = (store_zonegen_check_row_t){
                .zone_id = w->z.id,
                .name = zg->servers[s].name,
                .address = zg->servers[s].address,
                .secondary = zg->servers[s].secondary,
                .has_serial = checks[c].has_serial,
                .serial = checks[c].serial,
                .in_sync = ok,
                .error = checks[c].error,
            };
            if (!ok) {
                bad++;
                zonegen_metrics_server_failed(zg->metrics, s, 1);
                if (first == NULL) {
                    first = checks[c].error;
                    first_name = zg->servers[s].name;
                }
            }
        }
        zr[z].zone_id = w->z.id;
        if (ns == 0) {
            zr[z].has_published = 1;
            zr[z].published = w->serial;
        } else {
            zr[z].has_published = published_of(zc, ns, &zr[z].published);
        }
        if (bad > 0) {
            snprintf(zerr[z], sizeof(zerr[z]),
                     "verify: %zu of %zu servers not at serial %u: %s: %s", bad, ns, w->serial,
                     first_name, first);
            zr[z].error = zerr[z];
            zonegen_metrics_failed(zg->metrics, ZONEGEN_STEP_VERIFY, 1);
            long long pause = zonegen_backoff_note_failure(zg, w->z.id);
            ZONEGEN_LOG(ZONEGEN_LOG_WARN, "zone %s: %s; retry in %lld ms", w->z.name, zerr[z],
                        pause);
            zg->failures++;
        } else {
            zonegen_backoff_clear(zg, w->z.id);
            in_sync_zones++;
        }
        z++;
    }
    char err[512];
    if (store_zonegen_checks_store(zg->conn, rows, r, zr, z, on_published, zg, err, sizeof(err)) !=
        DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "%s", err);
        zg->failures++;
        goto done;
    }
    ZONEGEN_LOG(ZONEGEN_LOG_INFO,
                "%zu zone(s) published on %zu server(s), %zu not yet (checks %lld ms)",
                in_sync_zones, ns, z - in_sync_zones, zonegen_now_ms() - t0);
done:
    free(checks);
    free(cs);
    free(rows);
    free(zr);
    free(zerr);
}

static void batch_release(zonegen_t *zg, batch_t *b)
{
    char err[512];
    const char **ids = calloc(b->n + 1, sizeof(*ids));
    for (size_t i = 0; ids != NULL && i < b->n; i++) {
        ids[i] = b->w[i].z.id;
    }
    if (ids == NULL ||
        store_zonegen_lock_release_many(zg->conn, ids, b->n, err, sizeof(err)) != DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "releasing zone locks: %s", ids ? err : "out of memory");
    }
    free(ids);
}

static void batch_publish(zonegen_t *zg, batch_t *b)
{
    if (b->n > 0) {
        batch_commit(zg, b);
        batch_members(zg, b);
        batch_reload(zg, b);
        if (!zonegen_stopping(zg)) {
            batch_check(zg, b);
        }
        batch_release(zg, b);
    } else if (zg->catalog_dirty) {
        zonegen_catalog_publish(zg, 0);
    }
    long long pending = 0;
    double oldest = 0;
    char err[512];
    if (zg->metrics != NULL &&
        store_zonegen_pending_stats(zg->conn, &pending, &oldest, err, sizeof(err)) == DNSAPI_OK) {
        zonegen_metrics_pending(zg->metrics, pending, oldest);
    }
}

/* Batch after batch while the list comes back full and a batch made
 * progress (zones waiting out a backoff are listed last and end it). */
int zonegen_sweep_dirty(zonegen_t *zg, int ignore_backoff)
{
    store_zonegen_zone_t *zones = malloc(DIRTY_BATCH * sizeof(*zones));
    batch_t b = {.w = malloc(DIRTY_BATCH * sizeof(work_t)), .n = 0};
    int rc = DNSAPI_OK;
    if (zones == NULL || b.w == NULL) {
        free(zones);
        free(b.w);
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "out of memory");
        return DNSAPI_ENOMEM;
    }
    for (int round = 0; round < 10000 && !zonegen_stopping(zg); round++) {
        size_t n = 0;
        char err[512];
        rc = store_zonegen_dirty_list(zg->conn, zones, DIRTY_BATCH, &n, err, sizeof(err));
        if (rc != DNSAPI_OK) {
            ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "%s", err);
            zg->failures++;
            break;
        }
        long long now = zonegen_now_ms();
        b.n = 0;
        for (size_t i = 0; i < n && !zonegen_stopping(zg); i++) {
            zonegen_backoff_t *bo = zonegen_backoff_find(zg, zones[i].id);
            if (!ignore_backoff && bo != NULL && bo->next_ms > now) {
                continue;
            }
            if (zone_prepare(zg, zones[i].id, 0, &b.w[b.n])) {
                b.n++;
            }
        }
        batch_publish(zg, &b);
        if (n < DIRTY_BATCH || b.n == 0) {
            break;
        }
        ignore_backoff = 0; /* a zone failed in this sweep waits its turn */
    }
    free(zones);
    free(b.w);
    return rc;
}

int zonegen_sweep_names(zonegen_t *zg, char *const *names, size_t n)
{
    batch_t b = {.w = malloc(DIRTY_BATCH * sizeof(work_t)), .n = 0};
    if (b.w == NULL) {
        return DNSAPI_ENOMEM;
    }
    char err[512];
    for (size_t i = 0; i < n && !zonegen_stopping(zg); i++) {
        store_zonegen_zone_t z;
        if (store_zonegen_zone_get(zg->conn, names[i], 'n', &z, err, sizeof(err)) == DNSAPI_OK &&
            zone_prepare(zg, z.id, 1, &b.w[b.n])) {
            b.n++;
        }
        if (b.n == DIRTY_BATCH || i + 1 == n) {
            batch_publish(zg, &b);
            b.n = 0;
        }
    }
    free(b.w);
    return DNSAPI_OK;
}

int zonegen_servers_probe(zonegen_t *zg)
{
    int back = 0;
    long long now = zonegen_now_ms();
    for (size_t s = 0; s < zg->n_servers && !zonegen_stopping(zg); s++) {
        zonegen_server_t *srv = &zg->servers[s];
        if (srv->down_rounds == 0 || now - srv->probed_ms < PROBE_EVERY_MS) {
            continue;
        }
        srv->probed_ms = now;
        zonegen_check_server_t cs =
            (zonegen_check_server_t){.name = srv->name,
                                     .addr = srv->addr,
                                     .secondary = srv->secondary,
                                     .sign = srv->secondary && zg->cfg->has_tsig_key};
        /* Any answer at all, even a refusal, means it is up again. */
        zonegen_check_t c = {.zone = zg->cfg->catalog[0] ? zg->cfg->catalog : ".", .server = 0};
        zonegen_check_round_t round = {.servers = &cs,
                                       .n_servers = 1,
                                       .total_ms = 300,
                                       .key = zg->cfg->has_tsig_key ? &zg->cfg->tsig_key : NULL,
                                       .stop = zg->opt->stop};
        if (zonegen_check_run(&round, &c, 1) == DNSAPI_OK && cs.answered) {
            ZONEGEN_LOG(ZONEGEN_LOG_INFO, "server %s (%s) answers again", srv->name, srv->address);
            srv->down_rounds = 0;
            back = 1;
            char err[512];
            /* It missed the catalog's NOTIFYs while away. */
            if (srv->secondary && zg->cfg->catalog[0] &&
                zonegen_notify_send_signed(srv->addr, zg->cfg->catalog, round.key, 500, err,
                                           sizeof(err)) != DNSAPI_OK) {
                ZONEGEN_LOG(ZONEGEN_LOG_WARN, "notify: %s", err);
            }
        }
    }
    return back;
}
