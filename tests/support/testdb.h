/*
 * testdb.h - throwaway databases for integration tests.
 *
 * DNSAPI_TEST_DATABASE_URL names a PostgreSQL superuser connection to a
 * maintenance database (tests/run.sh starts the cluster and sets it). Each
 * test gets a fresh database of its own, migrated, and drops it after.
 * Without the variable the tests are skipped (cmocka skip()).
 */
#ifndef DNSAPI_TESTS_TESTDB_H
#define DNSAPI_TESTS_TESTDB_H

#include <libpq-fe.h>

typedef struct {
    char name[64];       /* database name */
    char conninfo[1024]; /* connection string for it */
} testdb_t;

/* Creates a fresh database named after prefix and a random suffix; migrates
 * it unless migrate is 0. Returns 0, or -1 when DNSAPI_TEST_DATABASE_URL is
 * unset (caller skips); aborts the test on other failures. */
int testdb_create(testdb_t *db, const char *prefix, int migrate);

/* Drops the database (terminating leftover connections). */
void testdb_drop(testdb_t *db);

/* Connects to db or fails the test. */
PGconn *testdb_connect(const testdb_t *db);

/* Runs sql (no parameters); returns the result status (PGRES_*) and, when
 * sqlstate is not NULL, copies the SQLSTATE (or "") into it (6 bytes). */
int testdb_exec(PGconn *c, const char *sql, char *sqlstate);

/* Runs sql expecting one row and one column; returns a malloc'd copy of the
 * value (free) or NULL. */
char *testdb_value(PGconn *c, const char *sql);

#endif
