#include "support/testdb.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "storage/migrate.h"

static const char *admin_url(void)
{
    const char *url = getenv("DNSAPI_TEST_DATABASE_URL");
    return (url != NULL && *url != '\0') ? url : NULL;
}

int testdb_create(testdb_t *db, const char *prefix, int migrate)
{
    const char *url = admin_url();
    if (url == NULL) {
        return -1;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(db->name, sizeof(db->name), "t_%s_%d_%ld", prefix, (int)getpid(),
             (long)(ts.tv_nsec % 100000));
    char err[1024];
    PGconn *admin = db_connect_sync(url, err, sizeof(err));
    if (admin == NULL) {
        fail_msg("%s", err);
    }
    char sql[256];
    snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", db->name);
    PGresult *r = PQexec(admin, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fail_msg("create database: %s", PQresultErrorMessage(r));
    }
    PQclear(r);
    PQfinish(admin);
    /* Same server, other database: in key=value form a later key wins. */
    if (strstr(url, "://") != NULL) {
        fail_msg("DNSAPI_TEST_DATABASE_URL must be key=value form, e.g. "
                 "'host=127.0.0.1 port=15432 user=postgres dbname=postgres'");
    }
    snprintf(db->conninfo, sizeof(db->conninfo), "%s dbname=%s", url, db->name);
    if (migrate) {
        PGconn *c = testdb_connect(db);
        if (db_migrate_apply(c, NULL, NULL, err, sizeof(err)) < 0) {
            fail_msg("migrate: %s", err);
        }
        PQfinish(c);
    }
    return 0;
}

void testdb_drop(testdb_t *db)
{
    const char *url = admin_url();
    if (url == NULL || db->name[0] == '\0') {
        return;
    }
    char err[1024];
    PGconn *admin = db_connect_sync(url, err, sizeof(err));
    if (admin == NULL) {
        return;
    }
    char sql[256];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", db->name);
    PQclear(PQexec(admin, sql));
    PQfinish(admin);
    db->name[0] = '\0';
}

PGconn *testdb_connect(const testdb_t *db)
{
    char err[1024];
    PGconn *c = db_connect_sync(db->conninfo, err, sizeof(err));
    if (c == NULL) {
        fail_msg("%s", err);
    }
    return c;
}

int testdb_exec(PGconn *c, const char *sql, char *sqlstate)
{
    PGresult *r = PQexec(c, sql);
    int st = PQresultStatus(r);
    if (sqlstate != NULL) {
        const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        snprintf(sqlstate, 6, "%s", s != NULL ? s : "");
    }
    PQclear(r);
    return st;
}

char *testdb_value(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    char *v = NULL;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && PQnfields(r) >= 1 &&
        !PQgetisnull(r, 0, 0)) {
        v = strdup(PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    return v;
}
