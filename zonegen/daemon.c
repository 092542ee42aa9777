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
#include "storage/migrate.h"
#include "storage/store_zonegen.h"
#include "zonegen/file.h"
#include "zonegen/hook.h"
#include "zonegen/log.h"
#include "zonegen/nsconf.h"
#include "zonegen/probe.h"
#include "zonegen/render.h"

#define DIRTY_BATCH 1000
#define RECONNECT_MAX_MS 5000

/* A zone whose last attempt failed, and when to try again. */
typedef struct {
    char id[40];
    unsigned failures;
    long long next_ms;
} backoff_t;

typedef struct {
    const zonegen_options_t *opt;
    const dnsapi_config_t *cfg;
    PGconn *conn;
    char dir[PATH_MAX]; /* absolute zone folder */
    /* Names (absolute, sorted bytewise) whose master file is in dir: what
     * the includes list. */
    char **known;
    size_t n_known, cap_known;
    backoff_t *backoff;
    size_t n_backoff, cap_backoff;
    int failures; /* zones that failed in this run, for --once */
} zonegen_t;

enum { ZONE_DONE = 0, ZONE_SKIPPED = 1, ZONE_FAILED = 2 };

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int stopping(const zonegen_t *zg)
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

/* ---- the set of zones with a file ------------------------------------ */

static size_t known_find(const zonegen_t *zg, const char *name, int *found)
{
    size_t lo = 0, hi = zg->n_known;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(zg->known[mid], name);
        if (cmp == 0) {
            *found = 1;
            return mid;
        }
        if (cmp < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *found = 0;
    return lo;
}

/* Adds name; returns 1 when it was new, 0 when known, -1 on no memory. */
static int known_add(zonegen_t *zg, const char *name)
{
    int found;
    size_t at = known_find(zg, name, &found);
    if (found) {
        return 0;
    }
    if (zg->n_known == zg->cap_known) {
        size_t cap = zg->cap_known ? zg->cap_known * 2 : 64;
        char **grown = realloc(zg->known, cap * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        zg->known = grown;
        zg->cap_known = cap;
    }
    char *copy = strdup(name);
    if (copy == NULL) {
        return -1;
    }
    memmove(zg->known + at + 1, zg->known + at, (zg->n_known - at) * sizeof(*zg->known));
    zg->known[at] = copy;
    zg->n_known++;
    return 1;
}

static void known_remove_at(zonegen_t *zg, size_t at)
{
    free(zg->known[at]);
    memmove(zg->known + at, zg->known + at + 1, (zg->n_known - at - 1) * sizeof(*zg->known));
    zg->n_known--;
}

/* ---- backoff --------------------------------------------------------- */

static backoff_t *backoff_find(zonegen_t *zg, const char *id)
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
static long long backoff_note_failure(zonegen_t *zg, const char *id)
{
    backoff_t *b = backoff_find(zg, id);
    if (b == NULL) {
        if (zg->n_backoff == zg->cap_backoff) {
            size_t cap = zg->cap_backoff ? zg->cap_backoff * 2 : 16;
            backoff_t *grown = realloc(zg->backoff, cap * sizeof(*grown));
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
    b->next_ms = now_ms() + pause;
    return pause;
}

static void backoff_clear(zonegen_t *zg, const char *id)
{
    backoff_t *b = backoff_find(zg, id);
    if (b != NULL) {
        *b = zg->backoff[--zg->n_backoff];
    }
}

/* ---- includes -------------------------------------------------------- */

static int includes_write(zonegen_t *zg)
{
    const struct {
        zonegen_ns_kind_t kind;
        const char *path;
    } confs[] = {
        {ZONEGEN_NS_NSD, zg->cfg->ns_conf_nsd},
        {ZONEGEN_NS_KNOT, zg->cfg->ns_conf_knot},
        {ZONEGEN_NS_BIND, zg->cfg->ns_conf_bind},
    };
    int rc = DNSAPI_OK;
    for (size_t i = 0; i < sizeof(confs) / sizeof(confs[0]); i++) {
        if (confs[i].path[0] == '\0') {
            continue;
        }
        char err[512];
        if (zonegen_nsconf_write(confs[i].kind, confs[i].path, zg->dir, zg->known, zg->n_known, err,
                                 sizeof(err)) != DNSAPI_OK) {
            ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "include %s: %s", confs[i].path, err);
            rc = DNSAPI_EIO;
        }
    }
    return rc;
}

/* ---- one zone -------------------------------------------------------- */

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

/* Records a failed step: last_error in the database, a log line, and the
 * next attempt pushed back. */
static int zone_fail(zonegen_t *zg, const store_zonegen_zone_t *z, const char *what,
                     const char *msg)
{
    char err[512];
    char text[1024];
    snprintf(text, sizeof(text), "%s: %s", what, msg);
    if (store_zonegen_error_set(zg->conn, z->id, text, err, sizeof(err)) != DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "zone %s: cannot store last_error: %s", z->name, err);
    }
    long long pause = backoff_note_failure(zg, z->id);
    ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "zone %s: %s; stays pending, retry in %lld ms", z->name, text,
                pause);
    zg->failures++;
    return ZONE_FAILED;
}

/* Reloads, notifies and verifies serial of z, then stores it as
 * published. */
static int zone_publish(zonegen_t *zg, const store_zonegen_zone_t *z, const char *path,
                        uint32_t serial)
{
    const dnsapi_config_t *cfg = zg->cfg;
    char err[1024];
    long long t0 = now_ms();
    if (cfg->reload_cmd[0] != '\0') {
        char cmd[4096];
        if (zonegen_hook_expand(cfg->reload_cmd, z->name, path, cmd, sizeof(cmd)) != 0) {
            return zone_fail(zg, z, "reload", "DNSAPI_RELOAD_CMD is too long once expanded");
        }
        if (zonegen_hook_run(cmd, zg->opt->hook_timeout_ms, err, sizeof(err)) != DNSAPI_OK) {
            return zone_fail(zg, z, "reload", err);
        }
    }
    long long t1 = now_ms();
    for (size_t i = 0; i < cfg->n_notify; i++) {
        if (zonegen_notify_send(&cfg->notify[i], z->name, zg->opt->notify_timeout_ms, err,
                                sizeof(err)) != DNSAPI_OK) {
            ZONEGEN_LOG(ZONEGEN_LOG_WARN, "zone %s: notify: %s", z->name, err);
        }
    }
    /* verify_ms bounds the wait for all servers together; a server asked
     * later gets what is left, but at least one query's worth. */
    long long verify_end = now_ms() + zg->opt->verify_ms;
    for (size_t i = 0; i < cfg->n_verify; i++) {
        long long left = verify_end - now_ms();
        if (zonegen_verify_wait(&cfg->verify[i], z->name, serial, left > 100 ? (int)left : 100,
                                zg->opt->stop, err, sizeof(err)) != DNSAPI_OK) {
            if (stopping(zg)) {
                /* Not a failure of the zone: the next start verifies again. */
                ZONEGEN_LOG(ZONEGEN_LOG_INFO, "zone %s: stopping before serial %u was verified",
                            z->name, serial);
                return ZONE_SKIPPED;
            }
            return zone_fail(zg, z, "verify", err);
        }
    }
    long long t2 = now_ms();
    if (store_zonegen_published_set(zg->conn, z->id, serial, err, sizeof(err)) != DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "zone %s: %s", z->name, err);
        zg->failures++;
        return ZONE_FAILED;
    }
    backoff_clear(zg, z->id);
    ZONEGEN_LOG(ZONEGEN_LOG_INFO, "zone %s: serial %u published (reload %lld ms, verify %lld ms)",
                z->name, serial, t1 - t0, t2 - t1);
    return ZONE_DONE;
}

/* Works one zone under its advisory lock. force renders even when the
 * exported serial is current (the file is missing here). */
static int zone_process_locked(zonegen_t *zg, const char *id, int force)
{
    char err[1024];
    store_zonegen_zone_t z;
    /* Read again under the lock: another zonegen may have just done it. */
    int rc = store_zonegen_zone_get(zg->conn, id, 'i', &z, err, sizeof(err));
    if (rc == DNSAPI_ENOTFOUND) {
        return ZONE_SKIPPED; /* deleted meanwhile: the reconcile removes its file */
    }
    if (rc != DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "%s", err);
        zg->failures++;
        return ZONE_FAILED;
    }
    char path[PATH_MAX + 300];
    if (zonegen_file_zone_path(zg->dir, z.name, path, sizeof(path)) != 0) {
        return zone_fail(zg, &z, "render", "zone file path too long");
    }
    uint32_t serial = z.exported_serial;
    int render = force || !z.has_exported || z.exported_serial != z.serial || access(path, F_OK);
    if (!render && z.has_published && z.published_serial == z.serial) {
        return ZONE_SKIPPED;
    }
    if (render) {
        long long t0 = now_ms();
        zone_fill_t zf = {.conn = zg->conn, .zone = &z};
        rc = zonegen_file_replace(path, zone_fill, &zf, err, sizeof(err));
        if (rc != DNSAPI_OK) {
            return zone_fail(zg, &z, "render", err);
        }
        serial = zf.serial;
        if (store_zonegen_exported_set(zg->conn, z.id, serial, err, sizeof(err)) != DNSAPI_OK) {
            return zone_fail(zg, &z, "render", err);
        }
        ZONEGEN_LOG(ZONEGEN_LOG_INFO, "zone %s: wrote %s serial %u (%zu records, %lld ms)", z.name,
                    path, serial, zf.count, now_ms() - t0);
    }
    int added = known_add(zg, z.name);
    if (added < 0) {
        return zone_fail(zg, &z, "include", "out of memory");
    }
    if (added > 0 && includes_write(zg) != DNSAPI_OK) {
        return zone_fail(zg, &z, "include", "cannot rewrite the name-server includes");
    }
    return zone_publish(zg, &z, path, serial);
}

static int zone_process(zonegen_t *zg, const store_zonegen_zone_t *z, int force)
{
    char err[512];
    int got = store_zonegen_lock_try(zg->conn, z->id, err, sizeof(err));
    if (got < 0) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "zone %s: %s", z->name, err);
        zg->failures++;
        return ZONE_FAILED;
    }
    if (got == 0) {
        ZONEGEN_LOG(ZONEGEN_LOG_INFO, "zone %s: another zonegen holds its lock; skipped", z->name);
        return ZONE_SKIPPED;
    }
    int rc = zone_process_locked(zg, z->id, force);
    if (store_zonegen_lock_release(zg->conn, z->id, err, sizeof(err)) != DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "zone %s: %s", z->name, err);
    }
    return rc;
}

/* ---- sweeps ---------------------------------------------------------- */

/* Renders and publishes every dirty zone not waiting out a backoff (all
 * of them with ignore_backoff). */
static int sweep_dirty(zonegen_t *zg, int ignore_backoff)
{
    store_zonegen_zone_t *zones = malloc(DIRTY_BATCH * sizeof(*zones));
    if (zones == NULL) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "out of memory");
        return DNSAPI_ENOMEM;
    }
    size_t n = 0;
    char err[512];
    int rc = store_zonegen_dirty_list(zg->conn, zones, DIRTY_BATCH, &n, err, sizeof(err));
    if (rc != DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "%s", err);
        zg->failures++;
        free(zones);
        return rc;
    }
    long long now = now_ms();
    for (size_t i = 0; i < n && !stopping(zg); i++) {
        backoff_t *b = backoff_find(zg, zones[i].id);
        if (!ignore_backoff && b != NULL && b->next_ms > now) {
            continue;
        }
        zone_process(zg, &zones[i], 0);
        now = now_ms();
    }
    free(zones);
    return DNSAPI_OK;
}

/*
 * Brings the folder and the includes in line with the zones in the
 * database: the file of a zone that is gone is removed (and the reload
 * command told), and the includes are rewritten when the set changed.
 * With startup, zones whose file is missing here are rendered too.
 */
static int reconcile(zonegen_t *zg, int startup)
{
    char **names = NULL;
    size_t n = 0;
    char err[1024];
    int rc = store_zonegen_names_list(zg->conn, &names, &n, err, sizeof(err));
    if (rc != DNSAPI_OK) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "%s", err);
        zg->failures++;
        return rc;
    }
    /* Both lists are sorted bytewise: walk them together and take out the
     * names the database no longer has. */
    char **gone = calloc(zg->n_known + 1, sizeof(*gone));
    size_t n_gone = 0;
    if (gone == NULL) {
        store_zonegen_names_free(names, n);
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "out of memory");
        return DNSAPI_ENOMEM;
    }
    size_t i = 0, j = 0;
    while (i < zg->n_known) {
        int cmp = j < n ? strcmp(zg->known[i], names[j]) : -1;
        if (cmp > 0) {
            j++;
            continue;
        }
        if (cmp == 0) {
            i++;
            j++;
            continue;
        }
        char path[PATH_MAX + 300];
        zonegen_file_zone_path(zg->dir, zg->known[i], path, sizeof(path));
        if (zonegen_file_remove(path, err, sizeof(err)) != DNSAPI_OK) {
            ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "zone %s deleted: %s", zg->known[i], err);
            zg->failures++;
            i++;
            continue;
        }
        ZONEGEN_LOG(ZONEGEN_LOG_INFO, "zone %s deleted: removed %s", zg->known[i], path);
        gone[n_gone++] = zg->known[i];
        zg->known[i] = NULL;
        known_remove_at(zg, i);
    }
    /* The includes drop the zones before the servers are told. */
    if ((startup || n_gone > 0) && includes_write(zg) != DNSAPI_OK) {
        zg->failures++;
    }
    for (size_t k = 0; k < n_gone; k++) {
        char path[PATH_MAX + 300], cmd[4096];
        zonegen_file_zone_path(zg->dir, gone[k], path, sizeof(path));
        if (zg->cfg->reload_cmd[0] != '\0' &&
            zonegen_hook_expand(zg->cfg->reload_cmd, gone[k], path, cmd, sizeof(cmd)) == 0 &&
            zonegen_hook_run(cmd, zg->opt->hook_timeout_ms, err, sizeof(err)) != DNSAPI_OK) {
            ZONEGEN_LOG(ZONEGEN_LOG_WARN, "zone %s deleted: %s", gone[k], err);
        }
        free(gone[k]);
    }
    free(gone);
    if (startup) {
        for (j = 0; j < n && !stopping(zg); j++) {
            int found;
            known_find(zg, names[j], &found);
            if (found) {
                continue;
            }
            store_zonegen_zone_t z;
            if (store_zonegen_zone_get(zg->conn, names[j], 'n', &z, err, sizeof(err)) ==
                DNSAPI_OK) {
                zone_process(zg, &z, 1);
            }
        }
    }
    store_zonegen_names_free(names, n);
    return DNSAPI_OK;
}

/* Starts the set of known zones from the *.zone files in the folder and
 * removes temporary files a killed writer left behind. */
static int dir_scan(zonegen_t *zg)
{
    DIR *d = opendir(zg->dir);
    if (d == NULL) {
        ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "open %s: %s", zg->dir, strerror(errno));
        return DNSAPI_EIO;
    }
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
        if (len <= 5 || e->d_name[0] == '.' || strcmp(e->d_name + len - 5, ".zone") != 0) {
            continue;
        }
        char name[300];
        snprintf(name, sizeof(name), "%.*s.", (int)(len - 5), e->d_name);
        if (known_add(zg, name) < 0) {
            closedir(d);
            return DNSAPI_ENOMEM;
        }
    }
    closedir(d);
    return DNSAPI_OK;
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
    for (size_t i = 0; i < zg->n_known; i++) {
        free(zg->known[i]);
    }
    free(zg->known);
    free(zg->backoff);
    if (zg->conn != NULL) {
        PQfinish(zg->conn);
    }
}

static void loop_run(zonegen_t *zg)
{
    long long last_sweep = now_ms();
    int reconnect_ms = 250;
    while (!stopping(zg)) {
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
            reconcile(zg, 0);
            sweep_dirty(zg, 0);
            last_sweep = now_ms();
            continue;
        }
        int got = notify_wait(zg, next_due(zg, last_sweep) - now_ms());
        if (got < 0) {
            ZONEGEN_LOG(ZONEGEN_LOG_ERROR, "database connection lost: %s",
                        PQerrorMessage(zg->conn));
            continue;
        }
        if (stopping(zg)) {
            break;
        }
        if (got > 0 || now_ms() >= next_due(zg, last_sweep)) {
            /* Dirty zones first: that is what a client waits for. */
            sweep_dirty(zg, 0);
            reconcile(zg, 0);
            last_sweep = now_ms();
        }
    }
}

int zonegen_run(const zonegen_options_t *opt)
{
    zonegen_t zg = {.opt = opt, .cfg = opt->cfg};
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
    if (prepare_dir(&zg) != DNSAPI_OK || dir_scan(&zg) != DNSAPI_OK ||
        connect_listen(&zg) != DNSAPI_OK) {
        goto done;
    }
    ZONEGEN_LOG(ZONEGEN_LOG_INFO, "writing zones to %s (%zu files there)%s", zg.dir, zg.n_known,
                opt->once ? ", once" : "");
    /* LISTEN came first, so nothing committed from here on is missed. */
    reconcile(&zg, 1);
    sweep_dirty(&zg, 0);
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
