#include "storage/store_zonegen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "storage/statements.h"

/* Rows per FETCH: large enough that round trips do not dominate, small
 * enough that one batch stays well under a megabyte. */
#define STREAM_BATCH "2000"

static const char zone_columns[] =
    "id::text, name, serial, exported_serial, published_serial, last_error IS NOT NULL, "
    "publish_failures, coalesce((SELECT bool_and(s.serial = zones.serial) FROM zone_servers s"
    " WHERE s.zone_id = zones.id AND s.role = 'primary'), false)";

/* Copies a result's message without its trailing newline into errbuf. */
static int fail_result(PGresult *r, PGconn *c, const char *what, char *errbuf, size_t errlen)
{
    const char *msg = r != NULL ? PQresultErrorMessage(r) : "";
    if (msg == NULL || *msg == '\0') {
        msg = PQerrorMessage(c);
    }
    size_t len = strlen(msg);
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' ')) {
        len--;
    }
    snprintf(errbuf, errlen, "database: %s: %.*s", what, (int)len, msg);
    PQclear(r);
    return DNSAPI_EDB;
}

/* Runs sql as the prepared statement name, preparing it on this
 * connection the first time it is used there (a new or reset connection
 * answers 26000, "no such prepared statement", and is prepared then). For
 * the statements run per zone, so that they are planned once. */
static PGresult *exec_prepared(PGconn *c, const char *name, const char *sql, int n,
                               const char *const *params)
{
    PGresult *r = PQexecPrepared(c, name, n, params, NULL, NULL, 0);
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (PQresultStatus(r) == PGRES_FATAL_ERROR && state != NULL && strcmp(state, "26000") == 0) {
        PQclear(r);
        PGresult *p = PQprepare(c, name, sql, n, NULL);
        if (PQresultStatus(p) != PGRES_COMMAND_OK) {
            return p;
        }
        PQclear(p);
        r = PQexecPrepared(c, name, n, params, NULL, NULL, 0);
    }
    return r;
}

static int exec_cmd(PGconn *c, const char *sql, int n, const char *const *params, const char *what,
                    char *errbuf, size_t errlen)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        return fail_result(r, c, what, errbuf, errlen);
    }
    PQclear(r);
    return DNSAPI_OK;
}

static uint32_t value_u32(PGresult *r, int row, int col)
{
    return (uint32_t)strtoul(PQgetvalue(r, row, col), NULL, 10);
}

static void zone_from_row(PGresult *r, int row, store_zonegen_zone_t *z)
{
    memset(z, 0, sizeof(*z));
    snprintf(z->id, sizeof(z->id), "%s", PQgetvalue(r, row, 0));
    snprintf(z->name, sizeof(z->name), "%s", PQgetvalue(r, row, 1));
    z->serial = value_u32(r, row, 2);
    z->has_exported = !PQgetisnull(r, row, 3);
    z->exported_serial = z->has_exported ? value_u32(r, row, 3) : 0;
    z->has_published = !PQgetisnull(r, row, 4);
    z->published_serial = z->has_published ? value_u32(r, row, 4) : 0;
    z->has_error = PQgetvalue(r, row, 5)[0] == 't';
    z->publish_failures = atoi(PQgetvalue(r, row, 6));
    z->primary_current = PQgetvalue(r, row, 7)[0] == 't';
}

int store_zonegen_listen(PGconn *c, char *errbuf, size_t errlen)
{
    return exec_cmd(c, "LISTEN zone_changed", 0, NULL, "listen", errbuf, errlen);
}

int store_zonegen_dirty_list(PGconn *c, store_zonegen_zone_t *out, size_t max, size_t *n,
                             char *errbuf, size_t errlen)
{
    char sql[1024], limit[24];
    snprintf(limit, sizeof(limit), "%zu", max);
    snprintf(sql, sizeof(sql),
             "SELECT %s FROM zones WHERE exported_serial IS DISTINCT FROM serial"
             " OR published_serial IS DISTINCT FROM serial"
             " ORDER BY last_error IS NOT NULL, updated_at, id LIMIT $1::int",
             zone_columns);
    const char *params[1] = {limit};
    PGresult *r = PQexecParams(c, sql, 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        return fail_result(r, c, "dirty zones", errbuf, errlen);
    }
    int rows = PQntuples(r);
    for (int i = 0; i < rows && (size_t)i < max; i++) {
        zone_from_row(r, i, &out[i]);
    }
    *n = (size_t)rows < max ? (size_t)rows : max;
    PQclear(r);
    return DNSAPI_OK;
}

int store_zonegen_zone_get(PGconn *c, const char *key, char which, store_zonegen_zone_t *out,
                           char *errbuf, size_t errlen)
{
    char sql[1024];
    /* A malformed id is "not found", not an error of the uuid cast; the
     * comparison still goes through the primary key. */
    snprintf(sql, sizeof(sql), "SELECT %s FROM zones WHERE %s", zone_columns,
             which == 'i' ? "id = CASE WHEN $1 ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$'"
                            " THEN $1::uuid END"
                          : "name = $1");
    const char *params[1] = {key};
    PGresult *r = exec_prepared(c, which == 'i' ? "zonegen_zone_by_id" : "zonegen_zone_by_name",
                                sql, 1, params);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        return fail_result(r, c, "zone", errbuf, errlen);
    }
    if (PQntuples(r) != 1) {
        PQclear(r);
        snprintf(errbuf, errlen, "zone %s not found", key);
        return DNSAPI_ENOTFOUND;
    }
    zone_from_row(r, 0, out);
    PQclear(r);
    return DNSAPI_OK;
}

int store_zonegen_names_list(PGconn *c, store_zonegen_name_t **out, size_t *n, char *errbuf,
                             size_t errlen)
{
    *out = NULL;
    *n = 0;
    PGresult *r = PQexec(c, "SELECT name, id::text FROM zones ORDER BY name COLLATE \"C\"");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        return fail_result(r, c, "zone names", errbuf, errlen);
    }
    int rows = PQntuples(r);
    store_zonegen_name_t *list = calloc((size_t)rows + 1, sizeof(*list));
    if (list == NULL) {
        goto nomem;
    }
    for (int i = 0; i < rows; i++) {
        if ((list[i].name = strdup(PQgetvalue(r, i, 0))) == NULL) {
            store_zonegen_names_free(list, (size_t)i);
            goto nomem;
        }
        snprintf(list[i].id, sizeof(list[i].id), "%s", PQgetvalue(r, i, 1));
    }
    PQclear(r);
    *out = list;
    *n = (size_t)rows;
    return DNSAPI_OK;
nomem:
    PQclear(r);
    snprintf(errbuf, errlen, "out of memory listing zones");
    return DNSAPI_ENOMEM;
}

void store_zonegen_names_free(store_zonegen_name_t *names, size_t n)
{
    if (names == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        free(names[i].name);
    }
    free(names);
}

int store_zonegen_tombstones_last(PGconn *c, long long *seq, char *errbuf, size_t errlen)
{
    PGresult *r = PQexec(c, "SELECT coalesce(max(id), 0) FROM zone_tombstones");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        return fail_result(r, c, "tombstones", errbuf, errlen);
    }
    *seq = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return DNSAPI_OK;
}

int store_zonegen_tombstones_since(PGconn *c, long long seq, store_zonegen_tombstone_t *out,
                                   size_t max, size_t *n, char *errbuf, size_t errlen)
{
    char after[24], limit[24];
    snprintf(after, sizeof(after), "%lld", seq);
    snprintf(limit, sizeof(limit), "%zu", max);
    const char *params[2] = {after, limit};
    PGresult *r = PQexecParams(c,
                               "SELECT id, zone_id::text, name FROM zone_tombstones"
                               " WHERE id > $1::bigint ORDER BY id LIMIT $2::int",
                               2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        return fail_result(r, c, "tombstones", errbuf, errlen);
    }
    int rows = PQntuples(r);
    *n = 0;
    for (int i = 0; i < rows && (size_t)i < max; i++) {
        out[i].seq = atoll(PQgetvalue(r, i, 0));
        snprintf(out[i].id, sizeof(out[i].id), "%s", PQgetvalue(r, i, 1));
        snprintf(out[i].name, sizeof(out[i].name), "%s", PQgetvalue(r, i, 2));
        (*n)++;
    }
    PQclear(r);
    return DNSAPI_OK;
}

int store_zonegen_tombstones_prune(PGconn *c, char *errbuf, size_t errlen)
{
    return exec_cmd(c, "DELETE FROM zone_tombstones WHERE deleted_at < now() - interval '1 day'", 0,
                    NULL, "tombstones", errbuf, errlen);
}

int store_zonegen_pending_stats(PGconn *c, long long *zones, double *oldest, char *errbuf,
                                size_t errlen)
{
    PGresult *r = PQexec(c, "SELECT count(*), coalesce(extract(epoch FROM now() - min(updated_at)),"
                            " 0)::float8 FROM zones WHERE exported_serial IS DISTINCT FROM serial"
                            " OR published_serial IS DISTINCT FROM serial");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        return fail_result(r, c, "pending zones", errbuf, errlen);
    }
    *zones = atoll(PQgetvalue(r, 0, 0));
    *oldest = atof(PQgetvalue(r, 0, 1));
    PQclear(r);
    return DNSAPI_OK;
}

/* ---- arrays for dnsapi_zonegen_checks_store -------------------------- */

/* A PostgreSQL array literal built element by element: {"a",NULL,"b"}. */
typedef struct {
    FILE *fp;
    char *buf;
    size_t len;
    size_t count;
} pg_array_t;

static int pg_array_open(pg_array_t *a)
{
    memset(a, 0, sizeof(*a));
    a->fp = open_memstream(&a->buf, &a->len);
    if (a->fp == NULL) {
        return -1;
    }
    fputc('{', a->fp);
    return 0;
}

/* Appends text quoted (NULL for SQL NULL). */
static void pg_array_add(pg_array_t *a, const char *text)
{
    if (a->count++ > 0) {
        fputc(',', a->fp);
    }
    if (text == NULL) {
        fputs("NULL", a->fp);
        return;
    }
    fputc('"', a->fp);
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            fputc('\\', a->fp);
        }
        fputc(*p, a->fp);
    }
    fputc('"', a->fp);
}

/* Ends the literal; a->buf is then the text (free it). */
static int pg_array_close(pg_array_t *a)
{
    fputc('}', a->fp);
    int bad = ferror(a->fp);
    fclose(a->fp);
    a->fp = NULL;
    return bad ? -1 : 0;
}

int store_zonegen_checks_store(PGconn *c, const store_zonegen_check_row_t *rows, size_t n,
                               const store_zonegen_zone_result_t *zones, size_t nz,
                               store_zonegen_published_fn fn, void *ctx, char *errbuf,
                               size_t errlen)
{
    enum { ZONE, NAME, ADDR, ROLE, SERIAL, SYNC, ERROR, ZIDS, PUB, ZERR, N_ARRAYS };
    pg_array_t a[N_ARRAYS];
    int opened = 0, rc = DNSAPI_ENOMEM;
    for (; opened < N_ARRAYS; opened++) {
        if (pg_array_open(&a[opened]) != 0) {
            goto done;
        }
    }
    for (size_t i = 0; i < n; i++) {
        char serial[16];
        snprintf(serial, sizeof(serial), "%u", rows[i].serial);
        pg_array_add(&a[ZONE], rows[i].zone_id);
        pg_array_add(&a[NAME], rows[i].name);
        pg_array_add(&a[ADDR], rows[i].address);
        pg_array_add(&a[ROLE], rows[i].secondary ? "secondary" : "primary");
        pg_array_add(&a[SERIAL], rows[i].has_serial ? serial : NULL);
        pg_array_add(&a[SYNC], rows[i].in_sync ? "t" : "f");
        pg_array_add(&a[ERROR], rows[i].error != NULL && rows[i].error[0] ? rows[i].error : NULL);
    }
    for (size_t i = 0; i < nz; i++) {
        char serial[16];
        snprintf(serial, sizeof(serial), "%u", zones[i].published);
        pg_array_add(&a[ZIDS], zones[i].zone_id);
        pg_array_add(&a[PUB], zones[i].has_published ? serial : NULL);
        pg_array_add(&a[ZERR], zones[i].error);
    }
    for (int i = 0; i < N_ARRAYS; i++) {
        if (pg_array_close(&a[i]) != 0) {
            goto done;
        }
    }
    const char *params[N_ARRAYS];
    for (int i = 0; i < N_ARRAYS; i++) {
        params[i] = a[i].buf;
    }
    PGresult *r = PQexecParams(
        c,
        "SELECT published_zone::text, change_age FROM dnsapi_zonegen_checks_store("
        "$1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::boolean[], $7::text[],"
        " $8::uuid[], $9::bigint[], $10::text[])",
        N_ARRAYS, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = fail_result(r, c, "store checks", errbuf, errlen);
        goto done;
    }
    for (int i = 0; fn != NULL && i < PQntuples(r); i++) {
        fn(PQgetvalue(r, i, 0), atof(PQgetvalue(r, i, 1)), ctx);
    }
    PQclear(r);
    rc = DNSAPI_OK;
done:
    if (rc == DNSAPI_ENOMEM) {
        snprintf(errbuf, errlen, "out of memory storing checks");
    }
    for (int i = 0; i < opened; i++) {
        if (a[i].fp != NULL) {
            fclose(a[i].fp);
        }
        free(a[i].buf);
    }
    return rc;
}

static int lock_call(PGconn *c, const char *fn, const char *zone_id, int *result, char *errbuf,
                     size_t errlen)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT %s(%d, hashtext($1))", fn, STORE_ZONEGEN_LOCK_CLASS);
    const char *params[1] = {zone_id};
    char name[64];
    snprintf(name, sizeof(name), "zonegen_%s", fn);
    PGresult *r = exec_prepared(c, name, sql, 1, params);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        return fail_result(r, c, fn, errbuf, errlen);
    }
    *result = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return DNSAPI_OK;
}

int store_zonegen_lock_try(PGconn *c, const char *zone_id, char *errbuf, size_t errlen)
{
    int got = 0;
    int rc = lock_call(c, "pg_try_advisory_lock", zone_id, &got, errbuf, errlen);
    return rc != DNSAPI_OK ? rc : got;
}

int store_zonegen_lock_release(PGconn *c, const char *zone_id, char *errbuf, size_t errlen)
{
    int released = 0;
    return lock_call(c, "pg_advisory_unlock", zone_id, &released, errbuf, errlen);
}

/* Hands the rows of one FETCH to fn; returns fn's first non-zero value. */
static int stream_batch(PGresult *r, store_zonegen_row_fn fn, void *ctx)
{
    int rows = PQntuples(r);
    for (int i = 0; i < rows; i++) {
        store_zonegen_row_t row = {
            .name = PQgetvalue(r, i, 0),
            .type = PQgetvalue(r, i, 1),
            .ttl = value_u32(r, i, 2),
            .priority = PQgetisnull(r, i, 3) ? -1 : atoi(PQgetvalue(r, i, 3)),
            .content = PQgetvalue(r, i, 4),
        };
        int rc = fn(&row, ctx);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* Waits for the answer to a query sent with PQsendQuery: its one result
 * (owned by the caller), after reading libpq's closing NULL. */
static PGresult *result_collect(PGconn *c)
{
    PGresult *res = NULL, *r;
    while ((r = PQgetResult(c)) != NULL) {
        if (res == NULL) {
            res = r;
        } else {
            PQclear(r);
        }
    }
    return res;
}

/*
 * Why a cursor: the master file must come from one ordered query whose
 * memory does not grow with the zone. A cursor FETCHed in batches keeps at
 * most two batches in libpq and costs far fewer allocations than single-row
 * mode. The next FETCH is sent before the current batch is handed to fn,
 * so the server reads while the caller renders.
 */
#define RECORDS_QUERY(limit)                                                                       \
    "SELECT r.name, r.type, r.ttl, r.priority, " DB_RECORD_CONTENT(                                \
        "r") " FROM records r WHERE r.zone_id = $1::uuid AND NOT r.disabled"                       \
             " ORDER BY r.sort_key, r.type <> 'SOA', r.type <> 'NS', r.type, r.content,"           \
             " r.priority, r.id" limit

int store_zonegen_records_stream(PGconn *c, const char *zone_id, store_zonegen_row_fn fn, void *ctx,
                                 char *errbuf, size_t errlen)
{
    static const char fetch[] = "FETCH " STREAM_BATCH " FROM zonegen_records";
    const char *one[1] = {zone_id};
    /* Most zones fit in one batch: one statement, one round trip. One row
     * more than a batch says the zone needs the cursor. */
    PGresult *small = exec_prepared(c, "zonegen_records_small",
                                    RECORDS_QUERY(" LIMIT " STREAM_BATCH " + 1"), 1, one);
    if (PQresultStatus(small) != PGRES_TUPLES_OK) {
        return fail_result(small, c, "records", errbuf, errlen);
    }
    if (PQntuples(small) <= atoi(STREAM_BATCH)) {
        int rc = stream_batch(small, fn, ctx);
        PQclear(small);
        return rc;
    }
    PQclear(small);
    int rc = exec_cmd(c, "BEGIN READ ONLY", 0, NULL, "begin", errbuf, errlen);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    int in_flight = 0;
    const char *params[1] = {zone_id};
    rc = exec_cmd(c, "DECLARE zonegen_records NO SCROLL CURSOR FOR " RECORDS_QUERY(""), 1, params,
                  "declare cursor", errbuf, errlen);
    if (rc != DNSAPI_OK) {
        goto fail;
    }
    if (!PQsendQuery(c, fetch)) {
        rc = fail_result(NULL, c, "fetch records", errbuf, errlen);
        goto fail;
    }
    in_flight = 1;
    for (;;) {
        PGresult *r = result_collect(c);
        in_flight = 0;
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            rc = fail_result(r, c, "fetch records", errbuf, errlen);
            goto fail;
        }
        if (PQntuples(r) == 0) {
            PQclear(r);
            break;
        }
        if (!PQsendQuery(c, fetch)) {
            PQclear(r);
            rc = fail_result(NULL, c, "fetch records", errbuf, errlen);
            goto fail;
        }
        in_flight = 1;
        rc = stream_batch(r, fn, ctx);
        PQclear(r);
        if (rc != 0) {
            goto fail;
        }
    }
    return exec_cmd(c, "COMMIT", 0, NULL, "commit", errbuf, errlen);
fail:
    if (in_flight) {
        PQclear(result_collect(c));
    }
    PQclear(PQexec(c, "ROLLBACK"));
    return rc;
}

/* A text[] literal of ids, for the batch statements. */
static char *ids_array(const char *const *ids, size_t n)
{
    pg_array_t a;
    if (pg_array_open(&a) != 0) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        pg_array_add(&a, ids[i]);
    }
    if (pg_array_close(&a) != 0) {
        free(a.buf);
        return NULL;
    }
    return a.buf;
}

int store_zonegen_exported_set_many(PGconn *c, const char *const *ids, const uint32_t *serials,
                                    size_t n, char *errbuf, size_t errlen)
{
    if (n == 0) {
        return DNSAPI_OK;
    }
    char *idlist = ids_array(ids, n);
    pg_array_t a;
    if (idlist == NULL || pg_array_open(&a) != 0) {
        free(idlist);
        snprintf(errbuf, errlen, "out of memory");
        return DNSAPI_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        char s[16];
        snprintf(s, sizeof(s), "%u", serials[i]);
        pg_array_add(&a, s);
    }
    int bad = pg_array_close(&a);
    const char *params[2] = {idlist, a.buf};
    int rc = bad ? DNSAPI_ENOMEM
                 : exec_cmd(c,
                            "UPDATE zones z SET exported_serial = v.serial FROM"
                            " unnest($1::uuid[], $2::bigint[]) AS v(id, serial) WHERE z.id = v.id",
                            2, params, "exported serials", errbuf, errlen);
    free(idlist);
    free(a.buf);
    return rc;
}

int store_zonegen_lock_release_many(PGconn *c, const char *const *ids, size_t n, char *errbuf,
                                    size_t errlen)
{
    if (n == 0) {
        return DNSAPI_OK;
    }
    char *idlist = ids_array(ids, n);
    if (idlist == NULL) {
        snprintf(errbuf, errlen, "out of memory");
        return DNSAPI_ENOMEM;
    }
    char sql[160];
    snprintf(sql, sizeof(sql),
             "SELECT count(pg_advisory_unlock(%d, hashtext(x))) FROM unnest($1::text[]) x",
             STORE_ZONEGEN_LOCK_CLASS);
    const char *params[1] = {idlist};
    int rc = exec_cmd(c, sql, 1, params, "unlock", errbuf, errlen);
    free(idlist);
    return rc;
}

int store_zonegen_error_set(PGconn *c, const char *zone_id, const char *message, char *errbuf,
                            size_t errlen)
{
    const char *params[2] = {zone_id, message};
    return exec_cmd(c,
                    "UPDATE zones SET last_error = $2, publish_failures = publish_failures + 1"
                    " WHERE id = $1::uuid",
                    2, params, "last error", errbuf, errlen);
}
