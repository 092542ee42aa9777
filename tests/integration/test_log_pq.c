/*
 * test_log_pq.c - libpq's notices become log lines: a WARNING raised by
 * the server arrives as one JSON line at level warn with its SQLSTATE,
 * detail and hint; a NOTICE at level info; nothing raw reaches stderr.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/log.h"
#include "common/log_pq.h"
#include "support/testdb.h"

static testdb_t db;

static int setup(void **state)
{
    (void)state;
    if (testdb_create(&db, "logpq", 0) != 0) {
        return 0;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (db.name[0] != '\0') {
        testdb_drop(&db);
    }
    return 0;
}

static void test_server_notices_become_json_lines(void **state)
{
    (void)state;
    if (db.name[0] == '\0') {
        skip();
    }
    PGconn *c = testdb_connect(&db);
    log_init("test", LOG_LEVEL_INFO);
    log_pq_attach(c, "pool");
    char path[] = "/tmp/dnsapi-test-logpq-XXXXXX";
    int tmp = mkstemp(path);
    int saved = dup(2);
    dup2(tmp, 2);
    assert_int_equal(testdb_exec(c,
                                 "DO $$ BEGIN RAISE WARNING 'disk almost full' USING "
                                 "ERRCODE = '01000', DETAIL = 'a detail', HINT = 'a hint'; "
                                 "RAISE NOTICE 'just so you know'; END $$",
                                 NULL),
                     PGRES_COMMAND_OK);
    dup2(saved, 2);
    close(saved);
    PQfinish(c);
    FILE *fp = fdopen(tmp, "r");
    rewind(fp);
    char line[LOG_LINE_MAX + 2];
    json_t *lines[4] = {NULL};
    int n = 0;
    while (fgets(line, sizeof(line), fp) != NULL && n < 4) {
        json_error_t err;
        lines[n] = json_loads(line, 0, &err);
        if (lines[n] == NULL) {
            fail_msg("not a JSON line: %s", line);
        }
        n++;
    }
    fclose(fp);
    unlink(path);
    assert_int_equal(n, 2);
    assert_string_equal(json_string_value(json_object_get(lines[0], "level")), "warn");
    assert_string_equal(json_string_value(json_object_get(lines[0], "msg")),
                        "database: disk almost full");
    assert_string_equal(json_string_value(json_object_get(lines[0], "sqlstate")), "01000");
    assert_string_equal(json_string_value(json_object_get(lines[0], "pg_severity")), "WARNING");
    assert_string_equal(json_string_value(json_object_get(lines[0], "detail")), "a detail");
    assert_string_equal(json_string_value(json_object_get(lines[0], "hint")), "a hint");
    assert_string_equal(json_string_value(json_object_get(lines[0], "source")), "pool");
    assert_string_equal(json_string_value(json_object_get(lines[1], "level")), "info");
    assert_string_equal(json_string_value(json_object_get(lines[1], "msg")),
                        "database: just so you know");
    json_decref(lines[0]);
    json_decref(lines[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_notices_become_json_lines),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
