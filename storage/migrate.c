#include "storage/migrate.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Any constant shared by every runner of this database; pg_advisory_lock
 * takes a bigint. ("dnsmigr" in ASCII.) */
#define MIGRATE_LOCK_KEY "28550669394372210"

static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

PGconn *db_connect_sync(const char *conninfo, char *errbuf, size_t errlen)
{
    PGconn *c = PQconnectdb(conninfo);
    if (c == NULL) {
        snprintf(errbuf, errlen, "database: out of memory");
        return NULL;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        const char *msg = PQerrorMessage(c);
        size_t len = strlen(msg);
        while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' ')) {
            len--;
        }
        snprintf(errbuf, errlen, "database: cannot connect (DNSAPI_DATABASE_URL): %.*s", (int)len,
                 msg);
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    return c;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(((const db_migration_t *)a)->name, ((const db_migration_t *)b)->name);
}

static int is_migration_name(const char *name)
{
    size_t len = strlen(name);
    return len > 9 && name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9' &&
           name[2] >= '0' && name[2] <= '9' && name[3] >= '0' && name[3] <= '9' && name[4] == '_' &&
           strcmp(name + len - 4, ".sql") == 0;
}

static char *read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[8192];
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *nb = realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                fclose(fp);
                return NULL;
            }
            buf = nb;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(fp);
    if (buf == NULL) {
        buf = calloc(1, 1);
    } else {
        buf[len] = '\0';
    }
    return buf;
}

db_migration_t *db_migrations_load_dir(const char *dir, char *errbuf, size_t errlen)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        snprintf(errbuf, errlen, "migrations: cannot open %s: %s", dir, strerror(errno));
        return NULL;
    }
    db_migration_t *list = calloc(1, sizeof(*list));
    size_t n = 0;
    struct dirent *de;
    while (list != NULL && (de = readdir(d)) != NULL) {
        if (!is_migration_name(de->d_name)) {
            continue;
        }
        db_migration_t *nl = realloc(list, (n + 2) * sizeof(*list));
        if (nl == NULL) {
            break;
        }
        list = nl;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        list[n].name = strdup(de->d_name);
        list[n].sql = read_file(path);
        if (list[n].name == NULL || list[n].sql == NULL) {
            free((char *)list[n].name);
            free((char *)list[n].sql);
            snprintf(errbuf, errlen, "migrations: cannot read %s", path);
            list[n].name = NULL;
            closedir(d);
            db_migrations_free(list);
            return NULL;
        }
        n++;
        list[n].name = NULL;
        list[n].sql = NULL;
    }
    closedir(d);
    if (list == NULL) {
        snprintf(errbuf, errlen, "migrations: out of memory");
        return NULL;
    }
    qsort(list, n, sizeof(*list), name_cmp);
    return list;
}

void db_migrations_free(db_migration_t *list)
{
    if (list == NULL) {
        return;
    }
    for (size_t i = 0; list[i].name != NULL; i++) {
        free((char *)list[i].name);
        free((char *)list[i].sql);
    }
    free(list);
}

/* Runs one statement; returns 0 or -1 with errbuf filled. */
static int exec(PGconn *c, const char *sql, const char *what, char *errbuf, size_t errlen)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        snprintf(errbuf, errlen, "%s: %s", what, PQresultErrorMessage(r));
        size_t len = strlen(errbuf);
        while (len > 0 && errbuf[len - 1] == '\n') {
            errbuf[--len] = '\0';
        }
        PQclear(r);
        return -1;
    }
    PQclear(r);
    return 0;
}

static int ensure_table(PGconn *c, char *errbuf, size_t errlen)
{
    return exec(c,
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name text PRIMARY KEY,"
                " applied_at timestamptz NOT NULL DEFAULT now())",
                "migrate: creating schema_migrations", errbuf, errlen);
}

/* Returns 1 when name is recorded, 0 when not, -1 on error. */
static int is_applied(PGconn *c, const char *name, char *errbuf, size_t errlen)
{
    const char *params[1] = {name};
    PGresult *r = PQexecParams(c, "SELECT 1 FROM schema_migrations WHERE name = $1", 1, NULL,
                               params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(errbuf, errlen, "migrate: %s", PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    int applied = PQntuples(r) > 0;
    PQclear(r);
    return applied;
}

int db_migrate_apply(PGconn *c, const db_migration_t *list, FILE *log, char *errbuf, size_t errlen)
{
    if (list == NULL) {
        list = db_migrations_embedded;
    }
    if (exec(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", "migrate: taking the lock", errbuf,
             errlen) != 0) {
        return -1;
    }
    int applied = 0;
    if (ensure_table(c, errbuf, errlen) != 0) {
        applied = -1;
        goto out;
    }
    for (size_t i = 0; list[i].name != NULL; i++) {
        int done = is_applied(c, list[i].name, errbuf, errlen);
        if (done < 0) {
            applied = -1;
            goto out;
        }
        if (done) {
            continue;
        }
        char what[512];
        snprintf(what, sizeof(what), "migrate: %s failed, nothing of it was applied", list[i].name);
        if (exec(c, "BEGIN", what, errbuf, errlen) != 0) {
            applied = -1;
            goto out;
        }
        const char *params[1] = {list[i].name};
        PGresult *r = NULL;
        if (exec(c, list[i].sql, what, errbuf, errlen) != 0 ||
            (r = PQexecParams(c, "INSERT INTO schema_migrations (name) VALUES ($1)", 1, NULL,
                              params, NULL, NULL, 0)) == NULL ||
            PQresultStatus(r) != PGRES_COMMAND_OK) {
            if (r != NULL) {
                snprintf(errbuf, errlen, "%s: %s", what, PQresultErrorMessage(r));
            }
            PQclear(r);
            PQclear(PQexec(c, "ROLLBACK"));
            applied = -1;
            goto out;
        }
        PQclear(r);
        if (exec(c, "COMMIT", what, errbuf, errlen) != 0) {
            applied = -1;
            goto out;
        }
        if (log != NULL) {
            fprintf(log, "applied %s\n", list[i].name);
        }
        applied++;
    }
out:
    PQclear(PQexec(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")"));
    return applied;
}

/* Copies a result's message and its hint into errbuf. */
static void result_message(PGresult *r, const char *what, char *errbuf, size_t errlen)
{
    const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    const char *hint = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT);
    if (msg == NULL) {
        msg = "no answer from the database";
    }
    if (hint != NULL) {
        snprintf(errbuf, errlen, "%s: %s (%s)", what, msg, hint);
    } else {
        snprintf(errbuf, errlen, "%s: %s", what, msg);
    }
}

int db_role_set(PGconn *c, const char *role, char *errbuf, size_t errlen)
{
    char *ident = PQescapeIdentifier(c, role, strlen(role));
    if (ident == NULL) {
        snprintf(errbuf, errlen, "database: %s", PQerrorMessage(c));
        return -1;
    }
    char sql[512];
    snprintf(sql, sizeof(sql), "SET ROLE %s", ident);
    PQfreemem(ident);
    PGresult *r = PQexec(c, sql);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        result_message(r, "database: cannot become the owner role (DNSAPI_DB_OWNER)", errbuf,
                       errlen);
        rc = -1;
    }
    PQclear(r);
    return rc;
}

int db_grant_role(PGconn *c, const char *role, const char *kind, char *errbuf, size_t errlen)
{
    const char *params[2] = {role, kind};
    PGresult *r =
        PQexecParams(c, "SELECT dnsapi_grant_role($1, $2)", 2, NULL, params, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        char what[320];
        snprintf(what, sizeof(what), "cannot grant %s the rights of %s", role, kind);
        result_message(r, what, errbuf, errlen);
        rc = -1;
    }
    PQclear(r);
    return rc;
}

int db_migrate_check(PGconn *c, const db_migration_t *list, char *errbuf, size_t errlen)
{
    if (list == NULL) {
        list = db_migrations_embedded;
    }
    PGresult *r = PQexec(c, "SELECT to_regclass('schema_migrations') IS NOT NULL");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(errbuf, errlen, "database: %s", PQresultErrorMessage(r));
        PQclear(r);
        return -1;
    }
    int exists = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    for (size_t i = 0; list[i].name != NULL; i++) {
        int done = exists ? is_applied(c, list[i].name, errbuf, errlen) : 0;
        if (done < 0) {
            return -1;
        }
        if (!done) {
            snprintf(errbuf, errlen,
                     "database is not migrated (%s is pending): run `dnsapi migrate` first",
                     list[i].name);
            return 1;
        }
    }
    return 0;
}
