/* Unit tests for dns/serial.c: RFC 1982 serial arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dns/dns.h"

static void test_serial_add_increments(void **state)
{
    assert_int_equal(dns_serial_add(2026112201u, 1), 2026112202u);
    assert_int_equal(dns_serial_add(0, 0), 0);
}

static void test_serial_add_wraps_past_the_top(void **state)
{
    assert_int_equal(dns_serial_add(0xffffffffu, 1), 0);
    assert_int_equal(dns_serial_add(0xfffffffeu, 5), 3);
}

static void test_serial_add_clamps_steps_of_half_the_circle(void **state)
{
    assert_int_equal(dns_serial_add(0, 0x80000000u), 0x7fffffffu);
    assert_int_equal(dns_serial_add(10, 0xffffffffu), 10u + 0x7fffffffu);
}

static void test_serial_compare_equal(void **state)
{
    assert_int_equal(dns_serial_compare(42, 42), 0);
}

static void test_serial_compare_in_order(void **state)
{
    assert_true(dns_serial_compare(2, 1) > 0);
    assert_true(dns_serial_compare(1, 2) < 0);
}

static void test_wrapped_serial_follows_the_old_one(void **state)
{
    assert_true(dns_serial_compare(0, 0xffffffffu) > 0);
    assert_true(dns_serial_compare(0xffffffffu, 0) < 0);
    assert_true(dns_serial_compare(dns_serial_add(0xfffffff0u, 100), 0xfffffff0u) > 0);
}

static void test_serial_more_than_half_ahead_precedes(void **state)
{
    assert_true(dns_serial_compare(0x80000001u, 0) < 0);
    assert_true(dns_serial_compare(0x7fffffffu, 0) > 0);
}

static void test_serial_exactly_half_apart_is_antisymmetric(void **state)
{
    assert_true(dns_serial_compare(0x80000000u, 0) > 0);
    assert_true(dns_serial_compare(0, 0x80000000u) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serial_add_increments),
        cmocka_unit_test(test_serial_add_wraps_past_the_top),
        cmocka_unit_test(test_serial_add_clamps_steps_of_half_the_circle),
        cmocka_unit_test(test_serial_compare_equal),
        cmocka_unit_test(test_serial_compare_in_order),
        cmocka_unit_test(test_wrapped_serial_follows_the_old_one),
        cmocka_unit_test(test_serial_more_than_half_ahead_precedes),
        cmocka_unit_test(test_serial_exactly_half_apart_is_antisymmetric),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
