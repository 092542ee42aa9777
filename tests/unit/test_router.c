/* Router matching and the error-to-status mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/reply.h"
#include "api/router.h"

static int match(const char *method, const char *path, char *zone, char *id, char *allow)
{
    return router_match(method, strlen(method), path, strlen(path), zone, id, allow, 128);
}

static void test_zone_and_record_parameters_are_extracted(void **state)
{
    char zone[300], id[300], allow[128];
    int k = match("GET", "/v1/zones/example.com/records/abc", zone, id, allow);
    assert_true(k >= 0);
    assert_string_equal(zone, "example.com");
    assert_string_equal(id, "abc");
    assert_true(match("GET", "/v1/zones/example.com.", zone, id, allow) >= 0);
    assert_string_equal(zone, "example.com.");
}

static void test_percent_encoded_slash_stays_inside_its_segment(void **state)
{
    char zone[300], id[300], allow[128];
    int k = match("GET", "/v1/zones/a%2Fb/records", zone, id, allow);
    assert_true(k >= 0);
    assert_string_equal(zone, "a/b"); /* later refused as a zone name: 404 */
    assert_int_equal(match("GET", "/v1/zones/a%2/records", zone, id, allow), -1);
    assert_int_equal(match("GET", "/v1/zones/a%00b", zone, id, allow), -1);
}

static void test_a_long_name_as_second_parameter_is_kept_whole(void **state)
{
    char zone[300], id[300], allow[128], path[400], name[260];
    memset(name, 'a', 253);
    for (int i = 63; i < 253; i += 64) {
        name[i] = '.';
    }
    name[253] = '\0';
    snprintf(path, sizeof(path), "/v1/zones/example.com/delegations/%s/check", name);
    int k = match("POST", path, zone, id, allow);
    assert_true(k >= 0);
    assert_string_equal(router_route(k)->template, "/v1/zones/{zone}/delegations/{name}/check");
    assert_string_equal(id, name);
}

static void test_unknown_path_is_not_found(void **state)
{
    char zone[300], id[300], allow[128];
    assert_int_equal(match("GET", "/v2/zones", zone, id, allow), -1);
    assert_int_equal(match("GET", "/v1/zones/x/records/y/z", zone, id, allow), -1);
    assert_int_equal(match("GET", "/v1/zones//records", zone, id, allow), -1);
}

static void test_wrong_method_lists_the_allowed_ones(void **state)
{
    char zone[300], id[300], allow[128];
    assert_int_equal(match("PUT", "/v1/zones", zone, id, allow), -2);
    assert_non_null(strstr(allow, "GET"));
    assert_non_null(strstr(allow, "POST"));
    assert_int_equal(match("POST", "/v1/zones/example.com/records/x", zone, id, allow), -2);
    assert_non_null(strstr(allow, "PATCH"));
    assert_non_null(strstr(allow, "DELETE"));
}

static void test_trailing_slash_is_tolerated(void **state)
{
    char zone[300], id[300], allow[128];
    assert_true(match("GET", "/v1/zones/", zone, id, allow) >= 0);
}

static void test_errors_map_to_http_statuses(void **state)
{
    dnsapi_err_t e;
    struct {
        int status;
        const char *code;
        int http;
    } cases[] = {
        {DNSAPI_EINVAL, "bad_rdata", 422},
        {DNSAPI_ENOTFOUND, "", 404},
        {DNSAPI_ECONFLICT, "cname_conflict", 409},
        {DNSAPI_EAUTH, "invalid_token", 401},
        {DNSAPI_EFORBIDDEN, "", 403},
        {DNSAPI_ESYSTEM, "system_record", 403},
        {DNSAPI_EDB, "", 503},
        {DNSAPI_EBUSY, "", 503},
        {DNSAPI_EBADREQ, "bad_request", 400},
        {DNSAPI_EBADREQ, "payload_too_large", 413},
        {DNSAPI_EBADREQ, "unsupported_media_type", 415},
        {DNSAPI_EBADREQ, "method_not_allowed", 405},
        {DNSAPI_EINTERNAL, "", 500},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dnsapi_err_set(&e, cases[i].status, cases[i].code, NULL, "x");
        assert_int_equal(reply_http_status(&e), cases[i].http);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zone_and_record_parameters_are_extracted),
        cmocka_unit_test(test_percent_encoded_slash_stays_inside_its_segment),
        cmocka_unit_test(test_a_long_name_as_second_parameter_is_kept_whole),
        cmocka_unit_test(test_unknown_path_is_not_found),
        cmocka_unit_test(test_wrong_method_lists_the_allowed_ones),
        cmocka_unit_test(test_trailing_slash_is_tolerated),
        cmocka_unit_test(test_errors_map_to_http_statuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
