/*
 * testutil.h - small helpers the C tests share: formatted SQL that must
 * succeed, one value by formatted SQL, a shell command's exit status, a
 * whole file, and an environment without DNSAPI_* variables.
 */
#ifndef DNSAPI_TESTS_TESTUTIL_H
#define DNSAPI_TESTS_TESTUTIL_H

#include <libpq-fe.h>

/* Runs the formatted SQL on c; fails the test when it does not succeed. */
void testutil_sql(PGconn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The one value the formatted SQL answers (malloc'd; free), or NULL. */
char *testutil_value(PGconn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs the formatted command with /bin/sh; returns its exit status (-1 when
 * it did not exit). */
int testutil_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Checks three includes with the servers' own checkers, each inside a
 * minimal main configuration written to dir: nsd-checkconf, knotc
 * conf-check, named-checkconf -z (which loads every zone named). Returns 0
 * when all three accept them, else the number of the first that refused
 * (1 NSD, 2 Knot, 3 BIND). */
int testutil_ns_includes_check(const char *dir, const char *nsd_inc, const char *knot_inc,
                               const char *bind_inc);

/* The whole file as a malloc'd string, or NULL. */
char *testutil_file_read(const char *path);

/* Removes every DNSAPI_* variable from the environment. */
void testutil_env_clear_dnsapi(void);

#endif
