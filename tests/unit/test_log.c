/*
 * test_log.c - the JSON-lines logger: every line parses as JSON with ts,
 * level, cmd and msg; strings are escaped and bytes that are not UTF-8
 * replaced; long lines are cut at a field and marked; the level drops
 * lines; the access line carries every field the lifecycle gives it.
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

/* Runs fn with fd (1 or 2) sent to a file; returns what was written
 * (malloc'd). */
static char *capture(int fd, void (*fn)(void))
{
    char path[] = "/tmp/dnsapi-test-log-XXXXXX";
    int tmp = mkstemp(path);
    assert_true(tmp >= 0);
    int saved = dup(fd);
    dup2(tmp, fd);
    fn();
    dup2(saved, fd);
    close(saved);
    off_t len = lseek(tmp, 0, SEEK_END);
    char *out = calloc(1, (size_t)len + 1);
    assert_int_equal(pread(tmp, out, (size_t)len, 0), len);
    close(tmp);
    unlink(path);
    return out;
}

/* Parses the only line of text. */
static json_t *one_line(const char *text)
{
    const char *nl = strchr(text, '\n');
    assert_non_null(nl);
    assert_int_equal(nl[1], '\0');
    json_error_t err;
    json_t *j = json_loadb(text, (size_t)(nl - text), JSON_REJECT_DUPLICATES, &err);
    if (j == NULL) {
        fail_msg("not JSON (%s): %s", err.text, text);
    }
    return j;
}

static const char *str(json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void write_event(void)
{
    log_line_t l;
    log_line_begin(&l, LOG_LEVEL_WARN, "quote \" backslash \\ newline \n tab \t bell \a");
    log_line_str(&l, "bad_utf8", "a\xff\xc3(z\xed\xa0\x80");
    log_line_str(&l, "utf8", "caf\xc3\xa9 \xf0\x9f\x8c\x90");
    log_line_str(&l, "none", NULL);
    log_line_int(&l, "n", -42);
    log_line_num(&l, "ms", 1.5);
    log_line_bool(&l, "yes", true);
    log_line_end(&l);
}

static void test_event_line_is_json_with_escapes(void **state)
{
    (void)state;
    log_init("test", LOG_LEVEL_INFO);
    char *out = capture(2, write_event);
    json_t *j = one_line(out);
    assert_string_equal(str(j, "level"), "warn");
    assert_string_equal(str(j, "cmd"), "test");
    assert_string_equal(str(j, "msg"), "quote \" backslash \\ newline \n tab \t bell \a");
    assert_string_equal(str(j, "bad_utf8"), "a\xef\xbf\xbd\xef\xbf\xbd(z\xef\xbf\xbd\xef\xbf\xbd"
                                            "\xef\xbf\xbd");
    assert_string_equal(str(j, "utf8"), "caf\xc3\xa9 \xf0\x9f\x8c\x90");
    assert_true(json_is_null(json_object_get(j, "none")));
    assert_int_equal(json_integer_value(json_object_get(j, "n")), -42);
    assert_true(json_real_value(json_object_get(j, "ms")) == 1.5);
    assert_true(json_is_true(json_object_get(j, "yes")));
    /* 2026-12-01T22:06:46.123Z */
    const char *ts = str(j, "ts");
    assert_non_null(ts);
    assert_int_equal(strlen(ts), 24);
    assert_int_equal(ts[10], 'T');
    assert_int_equal(ts[19], '.');
    assert_int_equal(ts[23], 'Z');
    json_decref(j);
    free(out);
}

static void write_long(void)
{
    static char big[LOG_LINE_MAX * 2];
    memset(big, 'x', sizeof(big) - 1);
    log_line_t l;
    log_line_begin(&l, LOG_LEVEL_INFO, "long");
    log_line_str(&l, "small", "kept");
    log_line_str(&l, "big", big);
    log_line_int(&l, "after", 7);
    log_line_end(&l);
}

static void test_long_lines_are_cut_at_a_field_and_marked(void **state)
{
    (void)state;
    char *out = capture(2, write_long);
    assert_true(strlen(out) <= LOG_LINE_MAX);
    json_t *j = one_line(out);
    assert_string_equal(str(j, "small"), "kept");
    assert_null(json_object_get(j, "big"));
    assert_int_equal(json_integer_value(json_object_get(j, "after")), 7);
    assert_true(json_is_true(json_object_get(j, "truncated")));
    json_decref(j);
    free(out);
}

static void write_levels(void)
{
    LOG_EVENT(LOG_LEVEL_DEBUG, "dropped %d", 1);
    LOG_EVENT(LOG_LEVEL_ERROR, "kept %d", 2);
}

static void test_level_drops_lines(void **state)
{
    (void)state;
    log_init("test", LOG_LEVEL_INFO);
    char *out = capture(2, write_levels);
    json_t *j = one_line(out);
    assert_string_equal(str(j, "msg"), "kept 2");
    assert_string_equal(str(j, "level"), "error");
    json_decref(j);
    free(out);
    assert_int_equal(log_level_parse("debug"), LOG_LEVEL_DEBUG);
    assert_int_equal(log_level_parse("loud"), -1);
}

static void write_access(void)
{
    log_access_t a = {
        .request_id = "00000001abcdef01",
        .method = "POSTxx",
        .method_len = 4,
        .route = "/v1/zones/{zone}/records",
        .path = "/v1/zones/example.com/records?x",
        .path_len = 29,
        .status = 422,
        .error_code = "validation_failed",
        .client = "192.0.2.7",
        .account = "0b6c4f7e-2f55-4a51-9d43-6a3c8e1f2a10",
        .token_id = "7d0e8a9b-1c2d-4e3f-8a5b-6c7d8e9f0a1b",
        .duration_ms = 12.3456,
        .bytes = 321,
    };
    log_access_write(&a);
    log_access_t anon = {.request_id = "2",
                         .method = "GET",
                         .method_len = 3,
                         .route = "/healthz",
                         .status = 200,
                         .client = "::1",
                         .duration_ms = 0.2,
                         .bytes = 2};
    log_access_write(&anon);
}

static void test_access_line_has_every_field(void **state)
{
    (void)state;
    log_init("serve", LOG_LEVEL_INFO);
    char *out = capture(1, write_access);
    char *second = strchr(out, '\n') + 1;
    char first[LOG_LINE_MAX];
    snprintf(first, sizeof(first), "%.*s", (int)(second - out), out);
    json_t *j = one_line(first);
    assert_string_equal(str(j, "msg"), "request");
    assert_string_equal(str(j, "cmd"), "serve");
    assert_string_equal(str(j, "request_id"), "00000001abcdef01");
    assert_string_equal(str(j, "method"), "POST");
    assert_string_equal(str(j, "route"), "/v1/zones/{zone}/records");
    assert_string_equal(str(j, "path"), "/v1/zones/example.com/records");
    assert_int_equal(json_integer_value(json_object_get(j, "status")), 422);
    assert_string_equal(str(j, "error_code"), "validation_failed");
    assert_string_equal(str(j, "client"), "192.0.2.7");
    assert_string_equal(str(j, "account"), "0b6c4f7e-2f55-4a51-9d43-6a3c8e1f2a10");
    assert_string_equal(str(j, "token_id"), "7d0e8a9b-1c2d-4e3f-8a5b-6c7d8e9f0a1b");
    assert_true(json_is_number(json_object_get(j, "duration_ms")));
    assert_true(json_number_value(json_object_get(j, "duration_ms")) > 12.34 &&
                json_number_value(json_object_get(j, "duration_ms")) < 12.35);
    assert_int_equal(json_integer_value(json_object_get(j, "bytes")), 321);
    json_decref(j);
    j = one_line(second);
    assert_true(json_is_null(json_object_get(j, "account")));
    assert_true(json_is_null(json_object_get(j, "token_id")));
    assert_true(json_is_null(json_object_get(j, "error_code")));
    assert_null(json_object_get(j, "path"));
    json_decref(j);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_line_is_json_with_escapes),
        cmocka_unit_test(test_long_lines_are_cut_at_a_field_and_marked),
        cmocka_unit_test(test_level_drops_lines),
        cmocka_unit_test(test_access_line_has_every_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
