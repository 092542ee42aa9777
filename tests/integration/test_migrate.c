/*
 * test_migrate.c - the migrations runner against a real PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "storage/migrate.h"
#include "support/testdb.h"

typedef struct {
    testdb_t db;
    PGconn *conn;
    char dir[64]; /* temporary migrations folder, or "" */
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return -1;
    }
    *state = f;
    if (testdb_create(&f->db, "migrate", 0) != 0) {
        return 0; /* no database configured: every test skips */
    }
    f->conn = testdb_connect(&f->db);
    return 0;
}

static void remove_dir(const char *dir)
{
    db_migration_t *list;
    char err[256];
    if (dir[0] == '\0' || (list = db_migrations_load_dir(dir, err, sizeof(err))) == NULL) {
        return;
    }
    for (size_t i = 0; list[i].name != NULL; i++) {
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", dir, list[i].name);
        unlink(path);
    }
    db_migrations_free(list);
    char path[256];
    snprintf(path, sizeof(path), "%s/README.txt", dir);
    unlink(path);
    rmdir(dir);
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    if (f->conn != NULL) {
        PQfinish(f->conn);
    }
    testdb_drop(&f->db);
    remove_dir(f->dir);
    free(f);
    return 0;
}

static fixture_t *fixture_or_skip(void **state)
{
    fixture_t *f = *state;
    if (f->conn == NULL) {
        skip();
    }
    return f;
}

static size_t embedded_count(void)
{
    size_t n = 0;
    while (db_migrations_embedded[n].name != NULL) {
        n++;
    }
    return n;
}

static long count(PGconn *c, const char *sql)
{
    char *v = testdb_value(c, sql);
    assert_non_null(v);
    long n = strtol(v, NULL, 10);
    free(v);
    return n;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

/* A temporary folder holding every embedded migration (as in
 * DNSAPI_MIGRATIONS_DIR) plus the extra files given. */
static void make_dir(fixture_t *f, const char *const *extra)
{
    snprintf(f->dir, sizeof(f->dir), "/tmp/dnsapi_test_migrations_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    for (size_t i = 0; db_migrations_embedded[i].name != NULL; i++) {
        write_file(f->dir, db_migrations_embedded[i].name, db_migrations_embedded[i].sql);
    }
    for (size_t i = 0; extra[i] != NULL; i += 2) {
        write_file(f->dir, extra[i], extra[i + 1]);
    }
    write_file(f->dir, "README.txt", "not a migration: ignored\n");
}

static void test_fresh_database_is_pending_then_current(void **state)
{
    fixture_t *f = fixture_or_skip(state);
    char err[1024] = "";
    assert_int_equal(db_migrate_check(f->conn, NULL, err, sizeof(err)), 1);
    assert_non_null(strstr(err, "dnsapi migrate"));
    assert_non_null(strstr(err, db_migrations_embedded[0].name));

    int applied = db_migrate_apply(f->conn, NULL, NULL, err, sizeof(err));
    if (applied < 0) {
        fail_msg("%s", err);
    }
    assert_int_equal(applied, (int)embedded_count());
    assert_int_equal(db_migrate_check(f->conn, NULL, err, sizeof(err)), 0);
    assert_int_equal(count(f->conn, "SELECT count(*) FROM schema_migrations"),
                     (long)embedded_count());
    static const char *const tables[] = {"accounts", "tokens", "zones", "records", "changes"};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i]);
        assert_int_equal(count(f->conn, sql), 0);
    }
}

/* Position of the embedded migration called name; fails when absent. */
static size_t embedded_index(const char *name)
{
    for (size_t i = 0; db_migrations_embedded[i].name != NULL; i++) {
        if (strcmp(db_migrations_embedded[i].name, name) == 0) {
            return i;
        }
    }
    fail_msg("no embedded migration %s", name);
    return 0;
}

/* The least-privilege file replaces functions and grants rights on tables
 * of earlier files, so it must come after each of them; a database migrated
 * up to the file before it (with a zone in it) gets it from the next
 * migrate, and its zone keeps its guarded system records. */
static void test_database_migrated_to_0025_gets_least_privilege(void **state)
{
    fixture_t *f = fixture_or_skip(state);
    static const char *const before[] = {
        "0002_soa_serial_from_zone.sql",
        "0015_name_server_fleet.sql",
        "0020_tsig_keys.sql",
        "0021_token_policies.sql",
        "0022_tsig_credentials.sql",
        "0025_name_sort_key_escapes.sql",
        "0030_apex_nameservers.sql",
    };
    size_t lp = embedded_index("0035_least_privilege.sql");
    for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++) {
        assert_true(embedded_index(before[i]) < lp);
    }
    db_migration_t *upto = calloc(lp + 1, sizeof(*upto));
    assert_non_null(upto);
    memcpy(upto, db_migrations_embedded, lp * sizeof(*upto));
    char err[1024] = "";
    int applied = db_migrate_apply(f->conn, upto, NULL, err, sizeof(err));
    free(upto);
    if (applied < 0) {
        fail_msg("%s", err);
    }
    assert_int_equal(applied, (int)lp);
    char state_[6];
    assert_int_equal(testdb_exec(f->conn,
                                 "WITH a AS (INSERT INTO accounts (name) VALUES ('old')"
                                 " RETURNING id) INSERT INTO zones (account_id, name,"
                                 " nameservers, hostmaster) SELECT id, 'old.test.',"
                                 " '{ns1.dnsapi.test.}', 'hostmaster.dnsapi.test.' FROM a",
                                 state_),
                     PGRES_COMMAND_OK);
    assert_int_equal(db_migrate_check(f->conn, NULL, err, sizeof(err)), 1);
    assert_non_null(strstr(err, "0035_least_privilege.sql"));

    applied = db_migrate_apply(f->conn, NULL, NULL, err, sizeof(err));
    if (applied < 0) {
        fail_msg("%s", err);
    }
    assert_int_equal(applied, (int)(embedded_count() - lp));
    assert_int_equal(db_migrate_check(f->conn, NULL, err, sizeof(err)), 0);
    /* what it made: the owner's functions, the grant, the guard by who */
    assert_int_equal(count(f->conn, "SELECT count(*) FROM pg_proc WHERE prosecdef AND proname IN"
                                    " ('dnsapi_records_changed', 'dnsapi_zone_created',"
                                    " 'dnsapi_zone_tombstone', 'dnsapi_system_write_open')"),
                     4);
    assert_int_equal(count(f->conn, "SELECT count(*) FROM pg_proc WHERE proname IN"
                                    " ('dnsapi_grant_role', 'dnsapi_regrant')"),
                     2);
    assert_int_equal(count(f->conn, "SELECT count(*) FROM records WHERE system"), 2);
    assert_int_equal(testdb_exec(f->conn, "DELETE FROM records WHERE type = 'SOA'", state_),
                     PGRES_FATAL_ERROR);
    assert_string_equal(state_, "DA001");
    assert_int_equal(count(f->conn, "SELECT count(*) FROM records WHERE system"), 2);
    /* a zone made now still gets its system records, and its deletion its
     * tombstone */
    assert_int_equal(testdb_exec(f->conn,
                                 "INSERT INTO zones (account_id, name, nameservers, hostmaster)"
                                 " SELECT id, 'new.test.', '{ns1.dnsapi.test.}',"
                                 " 'hostmaster.dnsapi.test.' FROM accounts",
                                 state_),
                     PGRES_COMMAND_OK);
    assert_int_equal(count(f->conn, "SELECT count(*) FROM records WHERE system"), 4);
    assert_int_equal(testdb_exec(f->conn, "DELETE FROM zones WHERE name = 'old.test.'", state_),
                     PGRES_COMMAND_OK);
    assert_int_equal(count(f->conn, "SELECT count(*) FROM zone_tombstones WHERE name ="
                                    " 'old.test.'"),
                     1);
    assert_int_equal(count(f->conn, "SELECT count(*) FROM records WHERE system"), 2);
}

static void test_rerun_applies_nothing(void **state)
{
    fixture_t *f = fixture_or_skip(state);
    char err[1024] = "";
    assert_true(db_migrate_apply(f->conn, NULL, NULL, err, sizeof(err)) > 0);
    char *first = testdb_value(f->conn, "SELECT string_agg(name || applied_at, ',' ORDER BY name) "
                                        "FROM schema_migrations");
    assert_non_null(first);

    char *buf = NULL;
    size_t len = 0;
    FILE *log = open_memstream(&buf, &len);
    assert_non_null(log);
    assert_int_equal(db_migrate_apply(f->conn, NULL, log, err, sizeof(err)), 0);
    fclose(log);
    assert_int_equal(len, 0); /* nothing applied, nothing logged */
    free(buf);

    char *second = testdb_value(f->conn, "SELECT string_agg(name || applied_at, ',' ORDER BY "
                                         "name) FROM schema_migrations");
    assert_non_null(second);
    assert_string_equal(first, second);
    free(first);
    free(second);
    assert_int_equal(db_migrate_check(f->conn, NULL, err, sizeof(err)), 0);
}

static void test_failing_file_leaves_nothing_of_it(void **state)
{
    fixture_t *f = fixture_or_skip(state);
    static const char *const extra[] = {
        "9990_fails_halfway.sql",
        "CREATE TABLE half_applied (id integer PRIMARY KEY);\n"
        "INSERT INTO half_applied VALUES (1);\n"
        "ALTER TABLE zones ADD COLUMN half_applied_column integer;\n"
        "SELECT 1 / 0;\n",
        "9991_after_the_failure.sql",
        "CREATE TABLE never_reached (id integer);\n",
        NULL,
    };
    make_dir(f, extra);

    char err[1024] = "";
    db_migration_t *list = db_migrations_load_dir(f->dir, err, sizeof(err));
    if (list == NULL) {
        fail_msg("%s", err);
    }
    size_t n = 0;
    while (list[n].name != NULL) {
        n++;
    }
    assert_int_equal(n, embedded_count() + 2); /* README.txt is not a migration */
    assert_string_equal(list[n - 2].name, "9990_fails_halfway.sql");

    char *buf = NULL;
    size_t len = 0;
    FILE *log = open_memstream(&buf, &len);
    assert_non_null(log);
    int rc = db_migrate_apply(f->conn, list, log, err, sizeof(err));
    fclose(log);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "9990_fails_halfway.sql"));
    assert_null(strstr(buf, "9990"));
    free(buf);

    /* The connection is usable and outside any transaction afterwards. */
    assert_int_equal(PQtransactionStatus(f->conn), PQTRANS_IDLE);
    /* The earlier files went in, each in its own transaction... */
    assert_int_equal(count(f->conn, "SELECT count(*) FROM schema_migrations"),
                     (long)embedded_count());
    assert_int_equal(count(f->conn, "SELECT count(*) FROM zones"), 0);
    /* ...and nothing of the failing one or of what came after it. */
    assert_int_equal(count(f->conn, "SELECT count(*) FROM schema_migrations "
                                    "WHERE name LIKE '999%'"),
                     0);
    assert_int_equal(count(f->conn, "SELECT count(*) FROM pg_class WHERE relname IN "
                                    "('half_applied', 'never_reached')"),
                     0);
    assert_int_equal(count(f->conn, "SELECT count(*) FROM information_schema.columns "
                                    "WHERE column_name = 'half_applied_column'"),
                     0);

    /* Pending, naming the failing file. */
    assert_int_equal(db_migrate_check(f->conn, list, err, sizeof(err)), 1);
    assert_non_null(strstr(err, "9990_fails_halfway.sql"));
    /* The embedded set alone is current. */
    assert_int_equal(db_migrate_check(f->conn, NULL, err, sizeof(err)), 0);

    /* Once the file is fixed, both remaining files apply. */
    db_migrations_free(list);
    write_file(f->dir, "9990_fails_halfway.sql", "CREATE TABLE half_applied (id integer);\n");
    list = db_migrations_load_dir(f->dir, err, sizeof(err));
    assert_non_null(list);
    assert_int_equal(db_migrate_apply(f->conn, list, NULL, err, sizeof(err)), 2);
    assert_int_equal(db_migrate_check(f->conn, list, err, sizeof(err)), 0);
    db_migrations_free(list);
}

static void test_check_reports_pending_file_added_later(void **state)
{
    fixture_t *f = fixture_or_skip(state);
    char err[1024] = "";
    assert_true(db_migrate_apply(f->conn, NULL, NULL, err, sizeof(err)) > 0);
    static const char *const extra[] = {"9992_new_table.sql", "CREATE TABLE later (id integer);\n",
                                        NULL};
    make_dir(f, extra);
    db_migration_t *list = db_migrations_load_dir(f->dir, err, sizeof(err));
    assert_non_null(list);
    assert_int_equal(db_migrate_check(f->conn, list, err, sizeof(err)), 1);
    assert_non_null(strstr(err, "9992_new_table.sql"));
    assert_non_null(strstr(err, "dnsapi migrate"));
    assert_int_equal(db_migrate_apply(f->conn, list, NULL, err, sizeof(err)), 1);
    assert_int_equal(db_migrate_check(f->conn, list, err, sizeof(err)), 0);
    db_migrations_free(list);
}

static void test_load_dir_reports_missing_folder(void **state)
{
    (void)state;
    char err[256] = "";
    assert_null(db_migrations_load_dir("/nonexistent/migrations", err, sizeof(err)));
    assert_non_null(strstr(err, "/nonexistent/migrations"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fresh_database_is_pending_then_current, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_database_migrated_to_0025_gets_least_privilege, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rerun_applies_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_file_leaves_nothing_of_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_reports_pending_file_added_later, setup,
                                        teardown),
        cmocka_unit_test(test_load_dir_reports_missing_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
