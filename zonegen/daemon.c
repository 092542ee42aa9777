/*
 * daemon.c - the zone generator's life: start-up (the folder, the members
 * found there, the database, the catalog, the primary told about every
 * zone), then the wait for zone_changed with periodic sweeps. The work on
 * zones is in sweep.c, the primary's membership in primary.c.
 */
#include "zonegen/zonegen.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log_pq.h"
#include "storage/migrate.h"
#include "storage/store_zonegen.h"
#include "zonegen/catalog.h"
#include "zonegen/file.h"
#include "zonegen/internal.h"
#include "zonegen/log.h"
#include "zonegen/nsconf.h"
#include "zonegen/render.h"

#define RECONNECT_MAX_MS 5000
#define RECONCILE_EVERY_MS 60000 /* full comparison of members and database */

long long zonegen_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int zonegen_stopping(const zonegen_t *zg)
{
    return zg->opt->stop != NULL && *zg->opt->stop;
}

void zonegen_options_init(zonegen_options_t *opt, const dnsapi_config_t *cfg)
{
    memset(opt, 0, sizeof(*opt));
    opt->cfg = cfg;
    opt->sweep_ms = 5000;
    opt->coalesce_ms = 10;
    opt->verify_ms = 10000;
    opt->hook_timeout_ms = 30000;
    opt->notify_timeout_ms = 2000;
    opt->backoff_max_ms = 60000;
}

/* ---- backoff --------------------------------------------------------- */

zonegen_backoff_t *zonegen_backoff_find(zonegen_t *zg, const char *id)
{
    for (size_t i = 0; i < zg->n_backoff; i++) {
        if (strcmp(zg->backoff[i].id, id) == 0) {
            return &zg->backoff[i];
        }
    }
    return NULL;
}

/* Schedules the next attempt after a failure: 1 s, 2 s, 4 s ... up to the
 * configured maximum. Returns the pause in ms. */
long long zonegen_backoff_note_failure(zonegen_t *zg, const char *id)
{
    zonegen_backoff_t *b = zonegen_backoff_find(zg, id);
    if (b == NULL) {
        if (zg->n_backoff == zg->cap_backoff) {
            size_t cap = zg->cap_backoff ? zg->cap_backoff * 2 : 16;
            zonegen_backoff_t *grown = realloc(zg->backoff, cap * sizeof(*grown));
            if (grown == NULL) {
                return 0;
            }
            zg->backoff = grown;
            zg->cap_backoff = cap;
        }
        b = &zg->backoff[zg->n_backoff++];
        memset(b, 0, sizeof(*b));
        snprintf(b->id, sizeof(b->id), "%s", id);
    }
    b->failures++;
    long long pause = 1000;
    for (unsigned i = 1; i < b->failures && pause < zg->opt->backoff_max_ms; i++) {
        pause *= 2;
    }
    if (pause > zg->opt->backoff_max_ms) {
        pause = zg->opt->backoff_max_ms;
    }
    b->next_ms = zonegen_now_ms() + pause;
    return pause;
}

void zonegen_backoff_clear(zonegen_t *zg, const char *id)
{
    zonegen_backoff_t *b = zonegen_backoff_find(zg, id);
    if (b != NULL) {
        *b = zg->backoff[--zg->n_backoff];
    }
}

/* ---- start-up -------------------------------------------------------- */

/* Starts the members from the *.zone files in the folder (the catalog's
 * own file aside) and removes temporary files a killed writer left. */
static int dir_scan(zonegen_t *zg)
{
    DIR *d = opendir(zg->dir);
    if (d == NULL) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "open %s: %s", zg->dir, strerror(errno));
        return DNSAPI_EIO;
    }
    const char *catalog_base = strrchr(zg->catalog_path, '/');
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        char path[PATH_MAX + 300];
        snprintf(path, sizeof(path), "%s/%s", zg->dir, e->d_name);
        if (zonegen_file_is_stale_temp(e->d_name)) {
            ZONEGEN_LOG(ZONEGEN_LOG_INFO, "removing leftover %s", path);
            unlink(path);
            continue;
        }
        if (len <= 5 || e->d_name[0] == '.' || strcmp(e->d_name + len - 5, ".zone") != 0 ||
            (catalog_base != NULL && zg->cfg->catalog[0] &&
             strcmp(e->d_name, catalog_base + 1) == 0)) {
            continue;
        }
        char name[300];
        snprintf(name, sizeof(name), "%.*s.", (int)(len - 5), e->d_name);
        if (zonegen_members_append(&zg->members, name, "") != 0) {
            closedir(d);
            return DNSAPI_ENOMEM;
        }
    }
    closedir(d);
    return zonegen_members_merge(&zg->members) == 0 ? DNSAPI_OK : DNSAPI_ENOMEM;
}

/* ---- the connection and the wait ------------------------------------- */

static int connect_listen(zonegen_t *zg)
{
    char err[1024];
    if (zg->conn != NULL) {
        PQfinish(zg->conn);
    }
    zg->conn = db_connect_sync(zg->cfg->database_url, err, sizeof(err));
    if (zg->conn == NULL) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "%s", err);
        return DNSAPI_EDB;
    }
    log_pq_attach(zg->conn, "zonegen"); /* notices and errors as log lines */
    if (store_zonegen_listen(zg->conn, err, sizeof(err)) != DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "%s", err);
        PQfinish(zg->conn);
        zg->conn = NULL;
        return DNSAPI_EDB;
    }
    return DNSAPI_OK;
}

/* Takes every queued notification; returns how many there were. */
static int notifies_drain(PGconn *c)
{
    int n = 0;
    PGnotify *nt;
    PQconsumeInput(c);
    while ((nt = PQnotifies(c)) != NULL) {
        n++;
        PQfreemem(nt);
    }
    return n;
}

/* Waits up to timeout_ms for a notification. Returns 1 when one (or a
 * burst) came, 0 on timeout or signal, -1 when the connection broke. */
static int notify_wait(zonegen_t *zg, long long timeout_ms)
{
    if (notifies_drain(zg->conn) > 0) {
        return 1;
    }
    struct pollfd pfd = {.fd = PQsocket(zg->conn), .events = POLLIN};
    int pr = poll(&pfd, 1, timeout_ms < 0 ? 0 : (int)timeout_ms);
    if (pr <= 0) {
        return 0;
    }
    if (!PQconsumeInput(zg->conn) || PQstatus(zg->conn) != CONNECTION_OK) {
        return -1;
    }
    int n = notifies_drain(zg->conn);
    if (n == 0) {
        return 0;
    }
    ZONEGEN_LOG(ZONEGEN_LOG_DEBUG, "%d notification(s)", n);
    /* Coalesce: a burst of commits becomes one sweep. */
    struct timespec ts = {0, (long)zg->opt->coalesce_ms * 1000000L};
    nanosleep(&ts, NULL);
    notifies_drain(zg->conn);
    return 1;
}

/* When the next sweep is due: the regular interval or the earliest
 * backoff, whichever comes first. */
static long long next_due(const zonegen_t *zg, long long last_sweep)
{
    long long due = last_sweep + zg->opt->sweep_ms;
    for (size_t i = 0; i < zg->n_backoff; i++) {
        if (zg->backoff[i].next_ms < due) {
            due = zg->backoff[i].next_ms;
        }
    }
    return due;
}

static int prepare_dir(zonegen_t *zg)
{
    const char *dir = zg->cfg->zone_dir;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "DNSAPI_ZONE_DIR: cannot create %s: %s", dir,
                    strerror(errno));
        return DNSAPI_ECONFIG;
    }
    if (realpath(dir, zg->dir) == NULL) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "DNSAPI_ZONE_DIR: %s: %s", dir, strerror(errno));
        return DNSAPI_ECONFIG;
    }
    if (zonegen_nsconf_path_check(zg->dir) != 0) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR,
                    "DNSAPI_ZONE_DIR: %s holds a quote, backslash or control character that "
                    "the name-server includes cannot carry",
                    zg->dir);
        return DNSAPI_ECONFIG;
    }
    return DNSAPI_OK;
}

static void zonegen_clear(zonegen_t *zg)
{
    zonegen_members_clear(&zg->members);
    free(zg->backoff);
    free(zg->servers);
    zonegen_metrics_free(zg->metrics);
    if (zg->conn != NULL) {
        PQfinish(zg->conn);
    }
}

/* The servers every zone is checked on: DNSAPI_VERIFY (the primary side,
 * named by address), then DNSAPI_SECONDARIES. */
static int servers_init(zonegen_t *zg)
{
    const dnsapi_config_t *cfg = zg->cfg;
    size_t n = cfg->n_verify + cfg->n_secondaries;
    zg->servers = calloc(n + 1, sizeof(*zg->servers));
    if (zg->servers == NULL) {
        return DNSAPI_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        zonegen_server_t *s = &zg->servers[i];
        int secondary = i >= cfg->n_verify;
        s->addr = secondary ? &cfg->secondaries[i - cfg->n_verify].addr : &cfg->verify[i];
        s->secondary = secondary;
        int v6 = strchr(s->addr->host, ':') != NULL;
        snprintf(s->address, sizeof(s->address), "%s%s%s:%u", v6 ? "[" : "", s->addr->host,
                 v6 ? "]" : "", (unsigned)s->addr->port);
        snprintf(s->name, sizeof(s->name), "%s",
                 secondary ? cfg->secondaries[i - cfg->n_verify].name : s->address);
    }
    zg->n_servers = n;
    if (cfg->has_zonegen_metrics) {
        const char **names = calloc(n + 1, sizeof(*names));
        char err[512];
        for (size_t i = 0; names != NULL && i < n; i++) {
            names[i] = zg->servers[i].name;
        }
        zg->metrics = names != NULL ? zonegen_metrics_new(&cfg->zonegen_metrics_listen, names, n,
                                                          err, sizeof(err))
                                    : NULL;
        free(names);
        if (zg->metrics == NULL) {
            ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "DNSAPI_ZONEGEN_METRICS_LISTEN: %s",
                        names != NULL ? err : "out of memory");
            return DNSAPI_ECONFIG;
        }
    }
    return DNSAPI_OK;
}

/*
 * After a start: the members found on disk are compared with the
 * database (deleted zones go, ids come); the includes are written and the
 * reload command run for the catalog, so the primary reads them (with
 * NSD, a reload command that starts with `nsd-control reconfig`); the
 * primary is told about every member (the add command must take a zone it
 * has as a no-op); the catalog is rewritten if its members differ; and
 * zones that have no file here are rendered.
 */
static void startup(zonegen_t *zg)
{
    char err[1024];
    if (store_zonegen_tombstones_last(zg->conn, &zg->tombstone_seq, err, sizeof(err)) !=
        DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "%s", err);
    }
    zonegen_reconcile(zg, 1);
    zonegen_includes_write(zg);
    zonegen_catalog_reload(zg);
    if (zg->cfg->zones_add_cmd[0] != '\0' && zg->members.n > 0) {
        char **names = zonegen_members_names(&zg->members);
        if (names != NULL &&
            zonegen_primary_add(zg, names, zg->members.n, err, sizeof(err)) != DNSAPI_OK) {
            ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "start-up: %s", err);
            zg->failures++;
        }
        free(names);
    }
    zonegen_catalog_publish(zg, 0);
    store_zonegen_name_t *all = NULL;
    size_t n = 0;
    if (store_zonegen_names_list(zg->conn, &all, &n, err, sizeof(err)) != DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "%s", err);
        return;
    }
    char **missing = calloc(n + 1, sizeof(*missing));
    size_t k = 0;
    for (size_t i = 0; missing != NULL && i < n; i++) {
        if (zonegen_members_find(&zg->members, all[i].name) == NULL) {
            missing[k++] = all[i].name;
        }
    }
    if (k > 0) {
        ZONEGEN_LOG(ZONEGEN_LOG_INFO, "%zu zone(s) have no file here yet", k);
        zonegen_sweep_names(zg, missing, k);
    }
    free(missing);
    store_zonegen_names_free(all, n);
}

static void loop_run(zonegen_t *zg)
{
    long long last_sweep = zonegen_now_ms();
    int reconnect_ms = 250;
    while (!zonegen_stopping(zg)) {
        if (zg->conn == NULL || PQstatus(zg->conn) != CONNECTION_OK) {
            if (connect_listen(zg) != DNSAPI_OK) {
                struct timespec ts = {reconnect_ms / 1000, (reconnect_ms % 1000) * 1000000L};
                nanosleep(&ts, NULL);
                reconnect_ms =
                    reconnect_ms * 2 > RECONNECT_MAX_MS ? RECONNECT_MAX_MS : reconnect_ms * 2;
                continue;
            }
            ZONEGEN_LOG(ZONEGEN_LOG_INFO, "connected to the database again");
            reconnect_ms = 250;
            zonegen_reconcile(zg, 1);
            zonegen_sweep_dirty(zg, 0);
            last_sweep = zonegen_now_ms();
            continue;
        }
        long long wait = next_due(zg, last_sweep) - zonegen_now_ms();
        int some_down = 0;
        for (size_t s = 0; s < zg->n_servers; s++) {
            some_down |= zg->servers[s].down_rounds > 0;
        }
        if (some_down && wait > 1000) {
            wait = 1000; /* to ask the silent servers whether they are back */
        }
        int got = notify_wait(zg, wait);
        if (got < 0) {
            ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "database connection lost: %s",
                        PQerrorMessage(zg->conn));
            continue;
        }
        if (zonegen_stopping(zg)) {
            break;
        }
        if (some_down && zonegen_servers_probe(zg)) {
            /* Every zone waiting for that server is tried now. */
            zonegen_sweep_dirty(zg, 1);
        }
        if (got > 0 || zonegen_now_ms() >= next_due(zg, last_sweep)) {
            /* Dirty zones first: that is what a client waits for. */
            zonegen_sweep_dirty(zg, 0);
            zonegen_reconcile(zg, zonegen_now_ms() - zg->reconciled_ms >= RECONCILE_EVERY_MS);
            last_sweep = zonegen_now_ms();
        }
    }
}

int zonegen_run(const zonegen_options_t *opt)
{
    zonegen_t zg = {.opt = opt, .cfg = opt->cfg};
    zonegen_members_init(&zg.members);
    int status = 1;
    const char *paths[] = {opt->cfg->ns_conf_nsd, opt->cfg->ns_conf_knot, opt->cfg->ns_conf_bind};
    for (size_t i = 0; i < 3; i++) {
        if (paths[i][0] != '\0' && zonegen_nsconf_path_check(paths[i]) != 0) {
            ZONEGEN_LOG(ZONEGEN_LOG_ERROR,
                        "DNSAPI_NS_CONF: %s holds a quote, backslash or "
                        "control character",
                        paths[i]);
            return 1;
        }
    }
    if (prepare_dir(&zg) != DNSAPI_OK || servers_init(&zg) != DNSAPI_OK) {
        goto done;
    }
    if (opt->cfg->catalog[0] != '\0') {
        zonegen_file_zone_path(zg.dir, opt->cfg->catalog, zg.catalog_path, sizeof(zg.catalog_path));
        zg.have_catalog_serial = zonegen_catalog_header_read(zg.catalog_path, &zg.catalog_serial,
                                                             &zg.catalog_digest) == 0;
        zonegen_metrics_catalog_serial(zg.metrics, zg.catalog_serial);
    }
    if (dir_scan(&zg) != DNSAPI_OK || connect_listen(&zg) != DNSAPI_OK) {
        goto done;
    }
    ZONEGEN_LOG(ZONEGEN_LOG_INFO, "writing zones to %s (%zu files there), %zu server(s) to check%s",
                zg.dir, zg.members.n, zg.n_servers, opt->once ? ", once" : "");
    /* LISTEN came first, so nothing committed from here on is missed. */
    startup(&zg);
    zonegen_sweep_dirty(&zg, 0);
    if (opt->once) {
        status = zg.failures > 0 ? 1 : 0;
        goto done;
    }
    loop_run(&zg);
    ZONEGEN_LOG(ZONEGEN_LOG_INFO, "stopping");
    status = 0;
done:
    zonegen_clear(&zg);
    return status;
}

int zonegen_export(PGconn *c, const char *zone, FILE *out, char *errbuf, size_t errlen)
{
    store_zonegen_zone_t z;
    int rc = store_zonegen_zone_get(c, zone, 'n', &z, errbuf, errlen);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    uint32_t serial;
    return zonegen_zone_render(c, z.id, z.name, out, &serial, NULL, errbuf, errlen);
}
