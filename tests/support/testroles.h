/*
 * testroles.h - a database set up with the roles of deploy/README.md, for
 * the integration tests of least privilege.
 *
 * An owner role owns the database and migrates it; a serving role and a
 * zonegen role are granted through db_grant_role; a "temp" role is granted
 * like the serving role and then, against the setup's advice, TEMP on the
 * database; a "member" role is a member of the owner. Role and database
 * names carry a prefix and the process id, so that test binaries running at
 * the same time do not meet. The serving role has created the zone
 * example.com. (its SOA and two apex NS) and www.example.com. A.
 */
#ifndef DNSAPI_TESTS_TESTROLES_H
#define DNSAPI_TESTS_TESTROLES_H

#include <libpq-fe.h>

#define TESTROLES_PERMISSION "42501" /* insufficient_privilege */
#define TESTROLES_GUARD "DA001"      /* the system-record guard */

typedef struct {
    char dbname[64];
    char owner[64], serve[64], zonegen[64], temp[64], member[64];
    char owner_url[1200], serve_url[1200], zonegen_url[1200], temp_url[1200];
    PGconn *as_owner, *as_serve, *as_temp;
    char account_id[40];
    char zone_id[40];
} testroles_t;

/* Sets t up (see above). Returns 0, or -1 when DNSAPI_TEST_DATABASE_URL is
 * unset (the caller skips); fails the test on any other problem. */
int testroles_setup(testroles_t *t, const char *prefix);

/* Drops the database and the roles. */
void testroles_teardown(testroles_t *t);

/* cmocka group set-up and tear-down: a testroles_t named after the test
 * program, handed to every test of the group as its state. */
int testroles_group_setup(void **state);
int testroles_group_teardown(void **state);

/* The group's testroles_t, or skip() when there is no database. */
testroles_t *testroles_or_skip(void **state);

/* Connects with url or fails the test. */
PGconn *testroles_connect(const char *url);

/* Runs sql as the superuser of DNSAPI_TEST_DATABASE_URL, or fails. */
void testroles_admin_exec(const char *sql);

/* Runs sql on c, or fails the test with the server's message. */
void testroles_exec_ok(PGconn *c, const char *sql);

/* The single value sql answers on c (malloc'd), or fails the test. */
char *testroles_value(PGconn *c, const char *sql);

/* Every row an attack could change (records, zones, the audit trail, open
 * system writes), read as the owner; malloc'd. */
char *testroles_snapshot(const testroles_t *t);

/* Runs sql on c and expects SQLSTATE sqlstate, with the database as it was
 * before; fails the test otherwise. */
void testroles_expect_refused(const testroles_t *t, PGconn *c, const char *sql,
                              const char *sqlstate);

#endif
