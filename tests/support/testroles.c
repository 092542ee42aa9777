#include "support/testroles.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "storage/migrate.h"
#include "support/testdb.h"

PGconn *testroles_connect(const char *url)
{
    char err[1024];
    PGconn *c = db_connect_sync(url, err, sizeof(err));
    if (c == NULL) {
        fail_msg("%s", err);
    }
    return c;
}

void testroles_admin_exec(const char *sql)
{
    const char *url = getenv("DNSAPI_TEST_DATABASE_URL");
    PGconn *c = testroles_connect(url);
    char state[6];
    int st = testdb_exec(c, sql, state);
    PQfinish(c);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fail_msg("%s: SQLSTATE %s", sql, state);
    }
}

void testroles_exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    int st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    }
    PQclear(r);
}

char *testroles_value(PGconn *c, const char *sql)
{
    char *v = testdb_value(c, sql);
    if (v == NULL) {
        fail_msg("%s: no single value", sql);
    }
    return v;
}

char *testroles_snapshot(const testroles_t *t)
{
    return testroles_value(
        t->as_owner, "SELECT coalesce((SELECT string_agg(concat_ws('|', id, zone_id, name, type, "
                     "content, ttl, priority, disabled, system, updated_at), ',' ORDER BY id) "
                     "FROM records), '') || '/' || (SELECT string_agg(concat_ws('|', id, name, "
                     "serial, record_count, exported_serial), ',' ORDER BY id) FROM zones) || '/' "
                     "|| (SELECT count(*) FROM changes) || '/' || (SELECT count(*) FROM "
                     "dnsapi_system_writes)");
}

void testroles_expect_refused(const testroles_t *t, PGconn *c, const char *sql,
                              const char *sqlstate)
{
    char *before = testroles_snapshot(t);
    char state[6];
    int st = testdb_exec(c, sql, state);
    PQclear(PQexec(c, "ROLLBACK"));
    if (st != PGRES_FATAL_ERROR || strcmp(state, sqlstate) != 0) {
        fail_msg("%s: expected SQLSTATE %s, got status %d SQLSTATE '%s'", sql, sqlstate, st, state);
    }
    char *after = testroles_snapshot(t);
    if (strcmp(before, after) != 0) {
        fail_msg("%s was refused but changed the database", sql);
    }
    free(before);
    free(after);
}

static void url_for(const testroles_t *t, char *out, size_t outlen, const char *role)
{
    snprintf(out, outlen, "%s dbname=%s user=%s", getenv("DNSAPI_TEST_DATABASE_URL"), t->dbname,
             role);
}

int testroles_setup(testroles_t *t, const char *prefix)
{
    memset(t, 0, sizeof(*t));
    if (getenv("DNSAPI_TEST_DATABASE_URL") == NULL) {
        return -1;
    }
    int id = (int)getpid();
    snprintf(t->owner, sizeof(t->owner), "%s_owner_%d", prefix, id);
    snprintf(t->serve, sizeof(t->serve), "%s_serve_%d", prefix, id);
    snprintf(t->zonegen, sizeof(t->zonegen), "%s_zonegen_%d", prefix, id);
    snprintf(t->temp, sizeof(t->temp), "%s_temp_%d", prefix, id);
    snprintf(t->member, sizeof(t->member), "%s_member_%d", prefix, id);
    snprintf(t->dbname, sizeof(t->dbname), "%s_%d", prefix, id);
    const char *roles[] = {t->owner, t->serve, t->zonegen, t->temp, t->member};
    char sql[512];
    for (size_t i = 0; i < 5; i++) {
        snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN", roles[i]);
        testroles_admin_exec(sql);
    }
    snprintf(sql, sizeof(sql), "GRANT %s TO %s", t->owner, t->member);
    testroles_admin_exec(sql);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s OWNER %s", t->dbname, t->owner);
    testroles_admin_exec(sql);
    url_for(t, t->owner_url, sizeof(t->owner_url), t->owner);
    url_for(t, t->serve_url, sizeof(t->serve_url), t->serve);
    url_for(t, t->zonegen_url, sizeof(t->zonegen_url), t->zonegen);
    url_for(t, t->temp_url, sizeof(t->temp_url), t->temp);

    /* As deploy/README.md: migrate as the owner, then `dnsapi db grant`. */
    char err[1024];
    t->as_owner = testroles_connect(t->owner_url);
    if (db_migrate_apply(t->as_owner, NULL, NULL, err, sizeof(err)) < 0 ||
        db_grant_role(t->as_owner, t->serve, "serve", err, sizeof(err)) != 0 ||
        db_grant_role(t->as_owner, t->zonegen, "zonegen", err, sizeof(err)) != 0 ||
        db_grant_role(t->as_owner, t->temp, "serve", err, sizeof(err)) != 0) {
        fail_msg("%s", err);
    }
    /* The role the setup never makes: a serving role that may create
     * temporary tables (and with them functions and triggers). */
    snprintf(sql, sizeof(sql), "GRANT TEMPORARY ON DATABASE %s TO %s", t->dbname, t->temp);
    testroles_admin_exec(sql);

    char *v =
        testroles_value(t->as_owner, "INSERT INTO accounts (name) VALUES ('acme') RETURNING id");
    snprintf(t->account_id, sizeof(t->account_id), "%s", v);
    free(v);
    t->as_serve = testroles_connect(t->serve_url);
    t->as_temp = testroles_connect(t->temp_url);
    snprintf(sql, sizeof(sql),
             "INSERT INTO zones (account_id, name, nameservers, hostmaster) VALUES ('%s', "
             "'example.com.', ARRAY['ns1.dnsapi.test.', 'ns2.dnsapi.test.'], "
             "'hostmaster.dnsapi.test.') RETURNING id",
             t->account_id);
    v = testroles_value(t->as_serve, sql);
    snprintf(t->zone_id, sizeof(t->zone_id), "%s", v);
    free(v);
    snprintf(sql, sizeof(sql),
             "INSERT INTO records (zone_id, account_id, name, type, content, ttl) VALUES "
             "('%s', '%s', 'www.example.com.', 'A', '192.0.2.1', 300)",
             t->zone_id, t->account_id);
    testroles_exec_ok(t->as_serve, sql);
    return 0;
}

void testroles_teardown(testroles_t *t)
{
    if (t->as_owner != NULL) {
        PQfinish(t->as_owner);
        PQfinish(t->as_serve);
        PQfinish(t->as_temp);
        char sql[512];
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", t->dbname);
        testroles_admin_exec(sql);
        const char *roles[] = {t->member, t->temp, t->zonegen, t->serve, t->owner};
        for (size_t i = 0; i < 5; i++) {
            snprintf(sql, sizeof(sql), "DROP ROLE IF EXISTS %s", roles[i]);
            testroles_admin_exec(sql);
        }
    }
    t->as_owner = NULL;
}

int testroles_group_setup(void **state)
{
    testroles_t *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return -1;
    }
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "%s", program_invocation_short_name);
    testroles_setup(t, prefix);
    *state = t;
    return 0;
}

int testroles_group_teardown(void **state)
{
    testroles_teardown(*state);
    free(*state);
    return 0;
}

testroles_t *testroles_or_skip(void **state)
{
    testroles_t *t = *state;
    if (t == NULL || t->as_owner == NULL) {
        skip();
    }
    return t;
}
