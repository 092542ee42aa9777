/*
 * test_config.c - configuration from DNSAPI_* variables and DNSAPI_CONFIG.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/config.h"
#include "support/testutil.h"

extern char **environ;

static dnsapi_config_t *cfg;
static char err[512];

static int setup(void **state)
{
    (void)state;
    testutil_env_clear_dnsapi();
    cfg = calloc(1, sizeof(*cfg));
    err[0] = '\0';
    return cfg == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    free(cfg);
    cfg = NULL;
    testutil_env_clear_dnsapi();
    return 0;
}

/* Loads with need and expects failure: one line, starting with var. */
static void expect_error_naming(unsigned need, const char *var)
{
    err[0] = '\0';
    if (dnsapi_config_load(cfg, need, err, sizeof(err)) == 0) {
        fail_msg("expected an error naming %s, got success", var);
    }
    size_t len = strlen(var);
    if (strncmp(err, var, len) != 0 || err[len] != ':') {
        fail_msg("error does not start with '%s:': %s", var, err);
    }
    assert_null(strchr(err, '\n'));
    assert_true(strlen(err) > len + 2); /* says what is wrong, not just the name */
}

static void load_ok(unsigned need)
{
    err[0] = '\0';
    int rc = dnsapi_config_load(cfg, need, err, sizeof(err));
    if (rc != 0) {
        fail_msg("config load failed: %s", err);
    }
}

static void test_defaults_without_any_variable(void **state)
{
    (void)state;
    load_ok(0);
    assert_string_equal(cfg->database_url, "postgresql:///dnsapi");
    assert_string_equal(cfg->listen.host, "127.0.0.1");
    assert_int_equal(cfg->listen.port, 8080);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    assert_int_equal(cfg->threads, cores > 0 ? cores : 1);
    assert_int_equal(cfg->jwt_secret_len, 0);
    assert_int_equal(cfg->n_nameservers, 0);
    assert_string_equal(cfg->hostmaster, "");
    assert_int_equal(cfg->ttl_min, 60);
    assert_int_equal(cfg->ttl_max, 604800);
    assert_int_equal(cfg->max_body, 1048576);
    assert_int_equal(cfg->n_cors_origins, 0);
    assert_string_equal(cfg->zone_dir, "var/zones");
    assert_string_equal(cfg->ns_conf_nsd, "");
    assert_string_equal(cfg->ns_conf_knot, "");
    assert_string_equal(cfg->ns_conf_bind, "");
    assert_string_equal(cfg->reload_cmd, "");
    assert_int_equal(cfg->n_notify, 0);
    assert_int_equal(cfg->n_verify, 0);
}

static void test_required_settings_are_named_when_missing(void **state)
{
    (void)state;
    expect_error_naming(DNSAPI_NEED_JWT, "DNSAPI_JWT_SECRET");
    expect_error_naming(DNSAPI_NEED_NAMESERVERS, "DNSAPI_NAMESERVERS");
    setenv("DNSAPI_JWT_SECRET", "0123456789abcdef0123456789abcdef", 1);
    expect_error_naming(DNSAPI_NEED_JWT | DNSAPI_NEED_NAMESERVERS, "DNSAPI_NAMESERVERS");
    setenv("DNSAPI_NAMESERVERS", "ns1.example.net", 1);
    load_ok(DNSAPI_NEED_JWT | DNSAPI_NEED_NAMESERVERS);
}

static void test_every_variable_is_parsed(void **state)
{
    (void)state;
    setenv("DNSAPI_DATABASE_URL", "host=127.0.0.1 port=5999 dbname=dns", 1);
    setenv("DNSAPI_LISTEN", "0.0.0.0:9090", 1);
    setenv("DNSAPI_THREADS", "3", 1);
    setenv("DNSAPI_JWT_SECRET", "an example secret that is long enough!", 1);
    setenv("DNSAPI_NAMESERVERS", "NS1.Example.NET, ns2.example.net.", 1);
    setenv("DNSAPI_HOSTMASTER", "dns-admin@example.org", 1);
    setenv("DNSAPI_TTL_MIN", "30", 1);
    setenv("DNSAPI_TTL_MAX", "86400", 1);
    setenv("DNSAPI_MAX_BODY", "65536", 1);
    setenv("DNSAPI_CORS_ORIGINS", "https://app.example.com,http://localhost:3000", 1);
    setenv("DNSAPI_ZONE_DIR", "/srv/zones", 1);
    setenv("DNSAPI_NS_CONF",
           "nsd:/etc/nsd/dnsapi.conf,knot:/etc/knot/dnsapi.conf,"
           "bind:/etc/bind/dnsapi.conf",
           1);
    setenv("DNSAPI_RELOAD_CMD", "nsd-control reload {zone}", 1);
    setenv("DNSAPI_NOTIFY", "127.0.0.2,[::1]:5300", 1);
    setenv("DNSAPI_VERIFY", "127.0.0.1:5353", 1);
    load_ok(DNSAPI_NEED_JWT | DNSAPI_NEED_NAMESERVERS);

    assert_string_equal(cfg->database_url, "host=127.0.0.1 port=5999 dbname=dns");
    assert_string_equal(cfg->listen.host, "0.0.0.0");
    assert_int_equal(cfg->listen.port, 9090);
    assert_int_equal(cfg->threads, 3);
    assert_string_equal(cfg->jwt_secret, "an example secret that is long enough!");
    assert_int_equal(cfg->jwt_secret_len, strlen("an example secret that is long enough!"));
    assert_int_equal(cfg->n_nameservers, 2);
    assert_string_equal(cfg->nameservers[0], "ns1.example.net.");
    assert_string_equal(cfg->nameservers[1], "ns2.example.net.");
    assert_string_equal(cfg->hostmaster, "dns-admin.example.org.");
    assert_int_equal(cfg->ttl_min, 30);
    assert_int_equal(cfg->ttl_max, 86400);
    assert_int_equal(cfg->max_body, 65536);
    assert_int_equal(cfg->n_cors_origins, 2);
    assert_string_equal(cfg->cors_origins[0], "https://app.example.com");
    assert_string_equal(cfg->cors_origins[1], "http://localhost:3000");
    assert_string_equal(cfg->zone_dir, "/srv/zones");
    assert_string_equal(cfg->ns_conf_nsd, "/etc/nsd/dnsapi.conf");
    assert_string_equal(cfg->ns_conf_knot, "/etc/knot/dnsapi.conf");
    assert_string_equal(cfg->ns_conf_bind, "/etc/bind/dnsapi.conf");
    assert_string_equal(cfg->reload_cmd, "nsd-control reload {zone}");
    assert_int_equal(cfg->n_notify, 2);
    assert_string_equal(cfg->notify[0].host, "127.0.0.2");
    assert_int_equal(cfg->notify[0].port, 53);
    assert_string_equal(cfg->notify[1].host, "::1");
    assert_int_equal(cfg->notify[1].port, 5300);
    assert_int_equal(cfg->n_verify, 1);
    assert_string_equal(cfg->verify[0].host, "127.0.0.1");
    assert_int_equal(cfg->verify[0].port, 5353);
}

static void test_invalid_values_give_one_line_naming_the_variable(void **state)
{
    (void)state;
    static const struct {
        const char *var, *value;
    } cases[] = {
        {"DNSAPI_LISTEN", "127.0.0.1:http"},
        {"DNSAPI_LISTEN", "127.0.0.1:70000"},
        {"DNSAPI_LISTEN", "[::1"},
        {"DNSAPI_THREADS", "0"},
        {"DNSAPI_THREADS", "many"},
        {"DNSAPI_THREADS", "-2"},
        {"DNSAPI_NAMESERVERS", "ns1"},
        {"DNSAPI_NAMESERVERS", "ns1.example.net,bad name.example.net"},
        {"DNSAPI_NAMESERVERS", "ns1..example.net"},
        {"DNSAPI_HOSTMASTER", "not a name"},
        {"DNSAPI_TTL_MIN", "-1"},
        {"DNSAPI_TTL_MIN", "ten"},
        {"DNSAPI_TTL_MAX", "99999999999"},
        {"DNSAPI_MAX_BODY", "12"},
        {"DNSAPI_MAX_BODY", "1MB"},
        {"DNSAPI_CORS_ORIGINS", "app.example.com"},
        {"DNSAPI_NS_CONF", "powerdns:/etc/pdns.conf"},
        {"DNSAPI_NS_CONF", "nsd"},
        {"DNSAPI_NOTIFY", "127.0.0.1:99999"},
        {"DNSAPI_VERIFY", "127.0.0.1:abc"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        testutil_env_clear_dnsapi();
        setenv(cases[i].var, cases[i].value, 1);
        expect_error_naming(0, cases[i].var);
    }
}

static void test_ttl_min_above_max_is_refused(void **state)
{
    (void)state;
    setenv("DNSAPI_TTL_MIN", "7200", 1);
    setenv("DNSAPI_TTL_MAX", "3600", 1);
    expect_error_naming(0, "DNSAPI_TTL_MIN");
}

static void test_short_jwt_secret_is_refused(void **state)
{
    (void)state;
    setenv("DNSAPI_JWT_SECRET", "0123456789abcdef0123456789abcde", 1); /* 31 bytes */
    expect_error_naming(0, "DNSAPI_JWT_SECRET");
    expect_error_naming(DNSAPI_NEED_JWT, "DNSAPI_JWT_SECRET");
    setenv("DNSAPI_JWT_SECRET", "0123456789abcdef0123456789abcdef", 1); /* 32 bytes */
    load_ok(DNSAPI_NEED_JWT);
    assert_int_equal(cfg->jwt_secret_len, 32);
}

static void test_hostmaster_defaults_to_first_ns_domain(void **state)
{
    (void)state;
    setenv("DNSAPI_NAMESERVERS", "ns1.dnsapi.test,ns2.other.test", 1);
    load_ok(DNSAPI_NEED_NAMESERVERS);
    assert_string_equal(cfg->hostmaster, "hostmaster.dnsapi.test.");

    setenv("DNSAPI_NAMESERVERS", "a.ns.provider.example.com", 1);
    load_ok(DNSAPI_NEED_NAMESERVERS);
    assert_string_equal(cfg->hostmaster, "hostmaster.ns.provider.example.com.");

    setenv("DNSAPI_HOSTMASTER", "Admin.Example.ORG.", 1);
    load_ok(DNSAPI_NEED_NAMESERVERS);
    assert_string_equal(cfg->hostmaster, "admin.example.org.");
}

/* Writes text to a fresh temporary file and returns its path (static). */
static const char *write_temp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/dnsapi_test_config_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

static void test_config_file_is_read_and_environment_wins(void **state)
{
    (void)state;
    const char *path = write_temp("# dnsapi settings\n"
                                  "\n"
                                  "DNSAPI_LISTEN=127.0.0.1:9000\n"
                                  "DNSAPI_NAMESERVERS = ns1.file.example, ns2.file.example\n"
                                  "DNSAPI_JWT_SECRET=\"from the file, long enough to be used\"\n"
                                  "DNSAPI_TTL_MAX=7200\n"
                                  "DNSAPI_ZONE_DIR='/var/lib/dnsapi/zones'\n");
    setenv("DNSAPI_CONFIG", path, 1);
    setenv("DNSAPI_LISTEN", "127.0.0.1:9001", 1);
    setenv("DNSAPI_TTL_MAX", "3600", 1);
    int rc = dnsapi_config_load(cfg, DNSAPI_NEED_JWT | DNSAPI_NEED_NAMESERVERS, err, sizeof(err));
    unlink(path);
    if (rc != 0) {
        fail_msg("config load failed: %s", err);
    }
    assert_int_equal(cfg->listen.port, 9001);                      /* environment */
    assert_int_equal(cfg->ttl_max, 3600);                          /* environment */
    assert_string_equal(cfg->nameservers[0], "ns1.file.example."); /* file */
    assert_string_equal(cfg->nameservers[1], "ns2.file.example.");
    assert_string_equal(cfg->hostmaster, "hostmaster.file.example.");
    assert_string_equal(cfg->jwt_secret, "from the file, long enough to be used");
    assert_string_equal(cfg->zone_dir, "/var/lib/dnsapi/zones");
}

static void test_config_file_errors_name_the_file_variable(void **state)
{
    (void)state;
    setenv("DNSAPI_CONFIG", "/nonexistent/dnsapi.conf", 1);
    expect_error_naming(0, "DNSAPI_CONFIG");

    const char *path = write_temp("DNSAPI_LISTEN=127.0.0.1:9000\nthis is not a setting\n");
    setenv("DNSAPI_CONFIG", path, 1);
    expect_error_naming(0, "DNSAPI_CONFIG");
    unlink(path);

    path = write_temp("DNSAPI_THREADS=lots\n");
    setenv("DNSAPI_CONFIG", path, 1);
    expect_error_naming(0, "DNSAPI_THREADS");
    unlink(path);
}

static void test_hostport_and_duration_helpers(void **state)
{
    (void)state;
    dnsapi_hostport_t hp;
    assert_int_equal(dnsapi_hostport_parse("[::1]:8053", 53, &hp), 0);
    assert_string_equal(hp.host, "::1");
    assert_int_equal(hp.port, 8053);
    assert_int_equal(dnsapi_hostport_parse("ns.example.net", 53, &hp), 0);
    assert_int_equal(hp.port, 53);
    assert_int_equal(dnsapi_hostport_parse(":53", 53, &hp), -1);

    int64_t secs;
    assert_int_equal(dnsapi_duration_parse("90d", &secs), 0);
    assert_int_equal(secs, 90 * 86400);
    assert_int_equal(dnsapi_duration_parse("3600", &secs), 0);
    assert_int_equal(secs, 3600);
    assert_int_equal(dnsapi_duration_parse("2w", &secs), 0);
    assert_int_equal(secs, 2 * 604800);
    assert_int_equal(dnsapi_duration_parse("5y", &secs), -1);
    assert_int_equal(dnsapi_duration_parse("-5", &secs), -1);
    assert_int_equal(dnsapi_duration_parse("10dd", &secs), -1);
}

static void test_resolver_is_an_ip_address_with_an_optional_port(void **state)
{
    load_ok(0);
    assert_false(cfg->has_resolver);
    setenv("DNSAPI_RESOLVER", "127.0.0.1:5353", 1);
    load_ok(0);
    assert_true(cfg->has_resolver);
    assert_string_equal(cfg->resolver.host, "127.0.0.1");
    assert_int_equal(cfg->resolver.port, 5353);
    setenv("DNSAPI_RESOLVER", "::1", 1);
    load_ok(0);
    assert_string_equal(cfg->resolver.host, "::1");
    assert_int_equal(cfg->resolver.port, 53);
    const char *bad[] = {"resolver.example.net", "127.0.0.1:abc", "[::1", "1.2.3"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        setenv("DNSAPI_RESOLVER", bad[i], 1);
        expect_error_naming(0, "DNSAPI_RESOLVER");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults_without_any_variable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_required_settings_are_named_when_missing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_every_variable_is_parsed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_values_give_one_line_naming_the_variable,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_ttl_min_above_max_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_jwt_secret_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostmaster_defaults_to_first_ns_domain, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_config_file_is_read_and_environment_wins, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_config_file_errors_name_the_file_variable, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_hostport_and_duration_helpers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolver_is_an_ip_address_with_an_optional_port, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
