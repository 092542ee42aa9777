/*
 * primary.c - what the primary name server is told when zones come or go:
 * the includes, the catalog zone, DNSAPI_ZONES_ADD_CMD / _DEL_CMD.
 *
 * Order matters for the secondaries. A new zone is loaded by the primary
 * (file, add command or include) before the catalog names it, so a
 * secondary that reads the catalog finds the zone there to transfer. A
 * deleted zone leaves the catalog first, so the secondaries drop it
 * before the primary stops serving it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "zonegen/catalog.h"
#include "zonegen/file.h"
#include "zonegen/hook.h"
#include "zonegen/internal.h"
#include "zonegen/log.h"
#include "zonegen/nsconf.h"

#define TOMBSTONE_BATCH 1000

int zonegen_includes_write(zonegen_t *zg)
{
    const dnsapi_config_t *cfg = zg->cfg;
    const struct {
        zonegen_ns_kind_t kind;
        const char *path;
    } confs[] = {
        {ZONEGEN_NS_NSD, cfg->ns_conf_nsd},
        {ZONEGEN_NS_KNOT, cfg->ns_conf_knot},
        {ZONEGEN_NS_BIND, cfg->ns_conf_bind},
    };
    char **names = zonegen_members_names(&zg->members);
    if (names == NULL) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "includes: out of memory");
        return DNSAPI_ENOMEM;
    }
    zonegen_nsconf_t nc = {
        .dir = zg->dir,
        .names = names,
        .n = zg->members.n,
        .list_members = cfg->zones_add_cmd[0] == '\0',
        .catalog = cfg->catalog,
        .secondaries = cfg->secondaries,
        .n_secondaries = cfg->n_secondaries,
        .key = cfg->has_tsig_key ? &cfg->tsig_key : NULL,
    };
    int rc = DNSAPI_OK;
    for (size_t i = 0; i < sizeof(confs) / sizeof(confs[0]); i++) {
        if (confs[i].path[0] == '\0') {
            continue;
        }
        char err[512];
        if (zonegen_nsconf_write(confs[i].kind, confs[i].path, &nc, err, sizeof(err)) !=
            DNSAPI_OK) {
            ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "include %s: %s", confs[i].path, err);
            rc = DNSAPI_EIO;
        }
    }
    free(names);
    zg->includes_dirty = rc != DNSAPI_OK;
    return rc;
}

/* True when some include names the members one by one. */
static int includes_list_members(const zonegen_t *zg)
{
    const dnsapi_config_t *cfg = zg->cfg;
    zonegen_nsconf_t nc = {.list_members = cfg->zones_add_cmd[0] == '\0', .catalog = cfg->catalog};
    return (cfg->ns_conf_nsd[0] && zonegen_nsconf_lists_members(ZONEGEN_NS_NSD, &nc)) ||
           (cfg->ns_conf_knot[0] && zonegen_nsconf_lists_members(ZONEGEN_NS_KNOT, &nc)) ||
           (cfg->ns_conf_bind[0] && zonegen_nsconf_lists_members(ZONEGEN_NS_BIND, &nc));
}

static int reload_run(zonegen_t *zg, const char *zone, const char *path, char *err, size_t errlen)
{
    const char *tmpl = zg->cfg->reload_cmd;
    if (tmpl[0] == '\0') {
        return DNSAPI_OK;
    }
    char cmd[4096], why[900];
    if (zonegen_hook_expand(tmpl, zone, path, cmd, sizeof(cmd)) != 0) {
        snprintf(err, errlen, "DNSAPI_RELOAD_CMD is too long once expanded");
        return DNSAPI_EINVAL;
    }
    int rc = zonegen_hook_run(cmd, zg->opt->hook_timeout_ms, why, sizeof(why));
    if (rc != DNSAPI_OK) {
        snprintf(err, errlen, "DNSAPI_RELOAD_CMD %s", why);
    }
    return rc;
}

int zonegen_catalog_reload(zonegen_t *zg)
{
    if (zg->cfg->catalog[0] == '\0' || access(zg->catalog_path, F_OK) != 0) {
        return DNSAPI_OK;
    }
    char err[1024];
    int rc = reload_run(zg, zg->cfg->catalog, zg->catalog_path, err, sizeof(err));
    if (rc != DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "catalog %s: reload: %s", zg->cfg->catalog, err);
        zonegen_metrics_failed(zg->metrics, ZONEGEN_STEP_RELOAD, 1);
    }
    return rc;
}

int zonegen_catalog_publish(zonegen_t *zg, int force)
{
    if (zg->cfg->catalog[0] == '\0') {
        return DNSAPI_OK;
    }
    zonegen_catalog_member_t *m = malloc((zg->members.n + 1) * sizeof(*m));
    if (m == NULL) {
        return DNSAPI_ENOMEM;
    }
    size_t n = 0;
    for (size_t i = 0; i < zg->members.n; i++) {
        /* A member the database has not named yet (start-up) waits. */
        if (zg->members.v[i].id[0] != '\0') {
            m[n].name = zg->members.v[i].name;
            m[n].id = zg->members.v[i].id;
            n++;
        }
    }
    uint64_t digest = zonegen_catalog_digest(m, n);
    if (!force && zg->have_catalog_serial && digest == zg->catalog_digest) {
        free(m);
        zg->catalog_dirty = 0;
        return DNSAPI_OK;
    }
    uint32_t serial =
        zonegen_catalog_serial_next(zg->catalog_serial, zg->have_catalog_serial, time(NULL));
    char err[1024];
    long long t0 = zonegen_now_ms();
    int rc =
        zonegen_catalog_write(zg->catalog_path, zg->cfg->catalog, serial, m, n, err, sizeof(err));
    free(m);
    if (rc != DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "catalog %s: %s; retried on the next sweep",
                    zg->cfg->catalog, err);
        zonegen_metrics_failed(zg->metrics, ZONEGEN_STEP_RENDER, 1);
        return rc;
    }
    zg->catalog_serial = serial;
    zg->have_catalog_serial = 1;
    zg->catalog_digest = digest;
    zg->catalog_dirty = 0;
    zonegen_metrics_catalog_serial(zg->metrics, serial);
    long long t1 = zonegen_now_ms();
    rc = reload_run(zg, zg->cfg->catalog, zg->catalog_path, err, sizeof(err));
    if (rc != DNSAPI_OK) {
        /* The file is right; the next membership change, or the next
         * start, reloads it again. Secondaries fail their checks meanwhile
         * and say so. */
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "catalog %s: reload: %s", zg->cfg->catalog, err);
        zonegen_metrics_failed(zg->metrics, ZONEGEN_STEP_RELOAD, 1);
        zg->catalog_dirty = 1;
        zg->have_catalog_serial = 1;
        zg->catalog_digest = 0; /* rewrite (with a new serial) next time */
        return rc;
    }
    ZONEGEN_LOG(ZONEGEN_LOG_INFO,
                "catalog %s: serial %u, %zu members (write %lld ms, reload %lld ms)",
                zg->cfg->catalog, serial, n, t1 - t0, zonegen_now_ms() - t1);
    return DNSAPI_OK;
}

/* The names without their trailing dot, one a line. */
static char *names_text(char *const *names, size_t n, size_t *len)
{
    char *buf = NULL;
    FILE *fp = open_memstream(&buf, len);
    if (fp == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(names[i]);
        fprintf(fp, "%.*s\n", (int)(l > 1 && names[i][l - 1] == '.' ? l - 1 : l), names[i]);
    }
    if (fclose(fp) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static int zones_cmd_run(zonegen_t *zg, const char *setting, const char *cmd, char *const *names,
                         size_t n, char *errbuf, size_t errlen)
{
    if (cmd[0] == '\0' || n == 0) {
        return DNSAPI_OK;
    }
    size_t len = 0;
    char *text = names_text(names, n, &len);
    if (text == NULL) {
        snprintf(errbuf, errlen, "out of memory");
        return DNSAPI_ENOMEM;
    }
    char why[900];
    long long t0 = zonegen_now_ms();
    /* A batch may be large: the time limit grows with it. */
    int timeout = zg->opt->hook_timeout_ms + (int)(n > 100000 ? 100000 : n) * 2;
    int rc = zonegen_hook_run_input(cmd, text, len, timeout, why, sizeof(why));
    free(text);
    if (rc != DNSAPI_OK) {
        snprintf(errbuf, errlen, "%s %s", setting, why);
        return rc;
    }
    ZONEGEN_LOG(ZONEGEN_LOG_INFO, "%s: %zu zone(s) in %lld ms", setting, n, zonegen_now_ms() - t0);
    return DNSAPI_OK;
}

int zonegen_primary_add(zonegen_t *zg, char *const *names, size_t n, char *errbuf, size_t errlen)
{
    return zones_cmd_run(zg, "DNSAPI_ZONES_ADD_CMD", zg->cfg->zones_add_cmd, names, n, errbuf,
                         errlen);
}

int zonegen_members_drop_gone(zonegen_t *zg)
{
    size_t n_gone = 0;
    for (size_t i = 0; i < zg->members.n; i++) {
        n_gone += zg->members.v[i].gone != 0;
    }
    if (n_gone == 0) {
        return DNSAPI_OK;
    }
    char **gone = calloc(n_gone + 1, sizeof(*gone));
    if (gone == NULL) {
        return DNSAPI_ENOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < zg->members.n; i++) {
        if (zg->members.v[i].gone && (gone[k] = strdup(zg->members.v[i].name)) != NULL) {
            k++;
        }
    }
    zonegen_members_compact(&zg->members);
    /* Catalog and includes drop the zones before the servers are told. */
    zonegen_catalog_publish(zg, 0);
    if (includes_list_members(zg) || zg->includes_dirty) {
        zonegen_includes_write(zg);
    }
    char err[1024];
    if (zones_cmd_run(zg, "DNSAPI_ZONES_DEL_CMD", zg->cfg->zones_del_cmd, gone, k, err,
                      sizeof(err)) != DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "deleted zones: %s", err);
        zg->failures++;
    }
    for (size_t i = 0; i < k; i++) {
        char path[PATH_MAX + 300];
        zonegen_file_zone_path(zg->dir, gone[i], path, sizeof(path));
        if (zonegen_file_remove(path, err, sizeof(err)) != DNSAPI_OK) {
            ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "zone %s deleted: %s", gone[i], err);
            zg->failures++;
        } else {
            ZONEGEN_LOG(ZONEGEN_LOG_INFO, "zone %s deleted: removed %s", gone[i], path);
        }
        /* Without a delete command, the reload command takes the zone out
         * (e.g. nsd-control reconfig). */
        if (zg->cfg->zones_del_cmd[0] == '\0' &&
            reload_run(zg, gone[i], path, err, sizeof(err)) != DNSAPI_OK) {
            ZONEGEN_LOG(ZONEGEN_LOG_WARN, "zone %s deleted: %s", gone[i], err);
        }
        free(gone[i]);
    }
    free(gone);
    return DNSAPI_OK;
}

/* Full: every zone name of the database against the members, and ids for
 * members found on disk at start-up. */
static int reconcile_full(zonegen_t *zg)
{
    store_zonegen_name_t *names = NULL;
    size_t n = 0;
    char err[1024];
    int rc = store_zonegen_names_list(zg->conn, &names, &n, err, sizeof(err));
    if (rc != DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "%s", err);
        zg->failures++;
        return rc;
    }
    /* Both sorted bytewise: one walk. */
    size_t i = 0, j = 0;
    while (i < zg->members.n) {
        zonegen_member_t *m = &zg->members.v[i];
        int cmp = j < n ? strcmp(m->name, names[j].name) : -1;
        if (cmp > 0) {
            j++;
            continue;
        }
        if (cmp == 0) {
            if (strcmp(m->id, names[j].id) != 0) {
                memcpy(m->id, names[j].id, sizeof(m->id));
                zg->catalog_dirty = 1;
            }
            i++;
            j++;
            continue;
        }
        m->gone = 1;
        i++;
    }
    store_zonegen_names_free(names, n);
    zg->reconciled_ms = zonegen_now_ms();
    if (store_zonegen_tombstones_prune(zg->conn, err, sizeof(err)) != DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_WARN, "%s", err);
    }
    return DNSAPI_OK;
}

/* Since the last look: the tombstones of deleted zones. A tombstone whose
 * name is a member under another id is a zone deleted and made again; the
 * new one stays. */
static int reconcile_tombstones(zonegen_t *zg)
{
    store_zonegen_tombstone_t *t = malloc(TOMBSTONE_BATCH * sizeof(*t));
    if (t == NULL) {
        return DNSAPI_ENOMEM;
    }
    char err[512];
    /* Bounded: a few batches per sweep; the rest waits for the next. */
    for (int round = 0; round < 10; round++) {
        size_t n = 0;
        if (store_zonegen_tombstones_since(zg->conn, zg->tombstone_seq, t, TOMBSTONE_BATCH, &n, err,
                                           sizeof(err)) != DNSAPI_OK) {
            ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "%s", err);
            free(t);
            return DNSAPI_EDB;
        }
        for (size_t i = 0; i < n; i++) {
            zonegen_member_t *m = zonegen_members_find(&zg->members, t[i].name);
            if (m != NULL && (m->id[0] == '\0' || strcmp(m->id, t[i].id) == 0)) {
                store_zonegen_zone_t z;
                /* Made again under the same name since? Then it stays. */
                if (store_zonegen_zone_get(zg->conn, t[i].name, 'n', &z, err, sizeof(err)) ==
                    DNSAPI_ENOTFOUND) {
                    m->gone = 1;
                }
            }
            zg->tombstone_seq = t[i].seq;
        }
        if (n < TOMBSTONE_BATCH) {
            break;
        }
    }
    free(t);
    return DNSAPI_OK;
}

int zonegen_reconcile(zonegen_t *zg, int full)
{
    int rc = full ? reconcile_full(zg) : reconcile_tombstones(zg);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    zonegen_members_drop_gone(zg);
    if (zg->catalog_dirty) {
        zonegen_catalog_publish(zg, 0);
    }
    if (zg->includes_dirty) {
        zonegen_includes_write(zg);
    }
    return DNSAPI_OK;
}
