/*
 * test_config_fleet.c - the name-server fleet settings: DNSAPI_CATALOG,
 * DNSAPI_SECONDARIES, DNSAPI_TSIG_KEY_FILE in the forms tsig-keygen,
 * keymgr and kdig use, DNSAPI_ZONES_ADD_CMD/_DEL_CMD and
 * DNSAPI_ZONEGEN_METRICS_LISTEN; and the catalog's labels and serials.
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
#include "common/tsig_key.h"
#include "support/testutil.h"
#include "zonegen/catalog.h"

static dnsapi_config_t *cfg;
static char err[1024];
static char keypath[64];

static const char secret[] = "RQx2zFM3E6jlONbNBclb3OOXis2/BRHQ9lNDdVU47m4=";

static int setup(void **state)
{
    (void)state;
    testutil_env_clear_dnsapi();
    cfg = calloc(1, sizeof(*cfg));
    snprintf(keypath, sizeof(keypath), "/tmp/dnsapi-key-XXXXXX");
    int fd = mkstemp(keypath);
    if (fd >= 0) {
        close(fd);
    }
    return cfg == NULL || fd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    free(cfg);
    unlink(keypath);
    testutil_env_clear_dnsapi();
    return 0;
}

static void key_file_write(const char *text)
{
    FILE *fp = fopen(keypath, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    setenv("DNSAPI_TSIG_KEY_FILE", keypath, 1);
}

static void expect_error(const char *var, const char *part)
{
    err[0] = '\0';
    assert_int_equal(dnsapi_config_load(cfg, 0, err, sizeof(err)), -1);
    assert_int_equal(strncmp(err, var, strlen(var)), 0);
    if (part != NULL && strstr(err, part) == NULL) {
        fail_msg("'%s' does not say '%s'", err, part);
    }
}

static void test_defaults_are_off(void **state)
{
    (void)state;
    assert_int_equal(dnsapi_config_load(cfg, 0, err, sizeof(err)), 0);
    assert_string_equal(cfg->catalog, "");
    assert_int_equal(cfg->n_secondaries, 0);
    assert_int_equal(cfg->has_tsig_key, 0);
    assert_int_equal(cfg->has_zonegen_metrics, 0);
    assert_string_equal(cfg->zones_add_cmd, "");
}

static void test_secondaries_are_named_addresses(void **state)
{
    (void)state;
    setenv("DNSAPI_SECONDARIES", "NS2.Example.NET=192.0.2.2, ns3.example.net=[2001:db8::3]:5353",
           1);
    setenv("DNSAPI_CATALOG", "Catalog.DNSAPI.invalid", 1);
    assert_int_equal(dnsapi_config_load(cfg, 0, err, sizeof(err)), 0);
    assert_int_equal(cfg->n_secondaries, 2);
    assert_string_equal(cfg->secondaries[0].name, "ns2.example.net.");
    assert_string_equal(cfg->secondaries[0].addr.host, "192.0.2.2");
    assert_int_equal(cfg->secondaries[0].addr.port, 53);
    assert_string_equal(cfg->secondaries[1].addr.host, "2001:db8::3");
    assert_int_equal(cfg->secondaries[1].addr.port, 5353);
    assert_string_equal(cfg->catalog, "catalog.dnsapi.invalid.");
}

static void test_bad_secondaries_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {"192.0.2.2",     "ns2.example.net=",
                                      "=192.0.2.2",    "ns2.example.net=ns2.example.net",
                                      "ns2=192.0.2.2", "ns2.example.net=192.0.2.2:0"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        setenv("DNSAPI_SECONDARIES", bad[i], 1);
        expect_error("DNSAPI_SECONDARIES", "NAME=ADDR[:PORT]");
    }
    setenv("DNSAPI_SECONDARIES", "a.example=192.0.2.1,a.example=192.0.2.2", 1);
    expect_error("DNSAPI_SECONDARIES", "listed twice");
}

static void test_key_file_from_tsig_keygen(void **state)
{
    (void)state;
    char text[512];
    snprintf(text, sizeof(text),
             "key \"Xfr-Key\" {\n\talgorithm hmac-sha256;\n\tsecret \"%s\";\n};\n", secret);
    key_file_write(text);
    assert_int_equal(dnsapi_config_load(cfg, 0, err, sizeof(err)), 0);
    assert_int_equal(cfg->has_tsig_key, 1);
    assert_string_equal(cfg->tsig_key.name, "xfr-key");
    assert_string_equal(cfg->tsig_key.algorithm, "hmac-sha256");
    assert_string_equal(cfg->tsig_key.secret, secret);
}

static void test_key_file_from_keymgr(void **state)
{
    (void)state;
    char text[512];
    snprintf(text, sizeof(text),
             "# hmac-sha256:xfr-key:%s\nkey:\n  - id: xfr-key\n    algorithm: hmac-sha256\n"
             "    secret: %s\n",
             secret, secret);
    key_file_write(text);
    assert_int_equal(dnsapi_config_load(cfg, 0, err, sizeof(err)), 0);
    assert_string_equal(cfg->tsig_key.name, "xfr-key");
    assert_string_equal(cfg->tsig_key.secret, secret);
}

static void test_key_file_one_line(void **state)
{
    (void)state;
    char text[256];
    snprintf(text, sizeof(text), "hmac-sha256:xfr-key.:%s\n", secret);
    key_file_write(text);
    assert_int_equal(dnsapi_config_load(cfg, 0, err, sizeof(err)), 0);
    assert_string_equal(cfg->tsig_key.name, "xfr-key");
}

static void test_bad_key_files_say_why(void **state)
{
    (void)state;
    key_file_write("key \"k\" { algorithm hmac-md5; secret \"RQx2zFM3E6jlONbNBclb3OOXis2/BRHQ"
                   "9lNDdVU47m4=\"; };\n");
    expect_error("DNSAPI_TSIG_KEY_FILE", "use hmac-sha256");
    key_file_write("key \"k\" { algorithm hmac-sha256; secret \"not base64!\"; };\n");
    expect_error("DNSAPI_TSIG_KEY_FILE", "not base64");
    key_file_write("key \"k\" { algorithm hmac-sha256; secret \"c2hvcnQ=\"; };\n");
    expect_error("DNSAPI_TSIG_KEY_FILE", "only 5 bytes");
    key_file_write("# nothing here\n");
    expect_error("DNSAPI_TSIG_KEY_FILE", "no key found");
    char two[600];
    snprintf(two, sizeof(two),
             "key \"a\" { algorithm hmac-sha256; secret \"%s\"; };\n"
             "key \"b\" { algorithm hmac-sha256; secret \"%s\"; };\n",
             secret, secret);
    key_file_write(two);
    expect_error("DNSAPI_TSIG_KEY_FILE", "exactly one");
    setenv("DNSAPI_TSIG_KEY_FILE", "/nonexistent/key", 1);
    expect_error("DNSAPI_TSIG_KEY_FILE", "cannot open /nonexistent/key");
}

static void test_zone_commands_come_in_pairs(void **state)
{
    (void)state;
    setenv("DNSAPI_ZONES_ADD_CMD", "nsd-control addzones", 1);
    expect_error("DNSAPI_ZONES_ADD_CMD", "DNSAPI_ZONES_DEL_CMD");
    setenv("DNSAPI_ZONES_DEL_CMD", "nsd-control delzones", 1);
    setenv("DNSAPI_ZONEGEN_METRICS_LISTEN", "127.0.0.1:9153", 1);
    assert_int_equal(dnsapi_config_load(cfg, 0, err, sizeof(err)), 0);
    assert_string_equal(cfg->zones_del_cmd, "nsd-control delzones");
    assert_int_equal(cfg->has_zonegen_metrics, 1);
    assert_int_equal(cfg->zonegen_metrics_listen.port, 9153);
    setenv("DNSAPI_ZONEGEN_METRICS_LISTEN", "127.0.0.1:x", 1);
    expect_error("DNSAPI_ZONEGEN_METRICS_LISTEN", "host:port");
}

static void test_help_lists_the_settings(void **state)
{
    (void)state;
    static const char *const vars[] = {"DNSAPI_CATALOG",       "DNSAPI_SECONDARIES",
                                       "DNSAPI_TSIG_KEY_FILE", "DNSAPI_ZONES_ADD_CMD",
                                       "DNSAPI_ZONES_DEL_CMD", "DNSAPI_ZONEGEN_METRICS_LISTEN"};
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        assert_non_null(strstr(dnsapi_config_help, vars[i]));
    }
}

static void test_catalog_label_is_the_zone_id(void **state)
{
    (void)state;
    char label[40];
    assert_int_equal(
        zonegen_catalog_label("67B7690C-8203-4E49-AD01-5D4E5C918C22", label, sizeof(label)), 0);
    assert_string_equal(label, "67b7690c82034e49ad015d4e5c918c22");
    assert_int_equal(zonegen_catalog_label("not-a-uuid", label, sizeof(label)), -1);
    assert_int_equal(zonegen_catalog_label("67b7690c82034e49ad015d4e5c918c2", label, sizeof(label)),
                     -1);
}

static void test_catalog_serial_always_moves_forward(void **state)
{
    (void)state;
    assert_int_equal(zonegen_catalog_serial_next(0, 0, 1800000000), 1800000000u);
    /* Behind the clock: the clock. Ahead of it (many writes a second): +1. */
    assert_int_equal(zonegen_catalog_serial_next(1700000000, 1, 1800000000), 1800000000u);
    assert_int_equal(zonegen_catalog_serial_next(1800000005, 1, 1800000000), 1800000006u);
    /* Across the wrap of 2^32. */
    assert_int_equal(zonegen_catalog_serial_next(4294967295u, 1, 5), 5u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults_are_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secondaries_are_named_addresses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_secondaries_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_file_from_tsig_keygen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_file_from_keymgr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_file_one_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_key_files_say_why, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zone_commands_come_in_pairs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_lists_the_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catalog_label_is_the_zone_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catalog_serial_always_moves_forward, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
