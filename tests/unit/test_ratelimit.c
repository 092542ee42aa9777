/*
 * test_ratelimit.c - DNSAPI_RATE_LIMIT: its syntax and errors, and the
 * table of budgets (api/ratelimit.h) on a clock the test moves: bursts,
 * refill, Retry-After, independent keys and budgets, bounded memory under
 * a flood of keys, and one budget shared by many threads.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/ratelimit.h"
#include "common/config.h"
#include "support/testutil.h"

#define SEC 1000000000ull
#define T0 (1000 * SEC) /* a monotonic clock well past 0 */

static dnsapi_rate_t rate[DNSAPI_RATE_BUDGETS];
static char err[512];

static void parse_ok(const char *text, int want_on)
{
    int on = -1;
    err[0] = '\0';
    if (dnsapi_rate_limit_parse(text, rate, &on, err, sizeof(err)) != 0) {
        fail_msg("'%s' refused: %s", text, err);
    }
    assert_int_equal(on, want_on);
}

/* text is refused with one line naming the variable and containing hint. */
static void parse_refused(const char *text, const char *hint)
{
    int on = -1;
    err[0] = '\0';
    if (dnsapi_rate_limit_parse(text, rate, &on, err, sizeof(err)) == 0) {
        fail_msg("'%s' accepted", text);
    }
    assert_int_equal(on, 0);
    if (strncmp(err, "DNSAPI_RATE_LIMIT: ", 19) != 0 || strstr(err, hint) == NULL) {
        fail_msg("'%s': error '%s' should name DNSAPI_RATE_LIMIT and say '%s'", text, err, hint);
    }
    assert_null(strchr(err, '\n'));
    for (int b = 0; b < DNSAPI_RATE_BUDGETS; b++) {
        assert_int_equal(rate[b].burst, 0);
    }
}

static void test_off_unless_set(void **state)
{
    (void)state;
    parse_ok(NULL, 0);
    parse_ok("", 0);
    parse_ok("off", 0);
    for (int b = 0; b < DNSAPI_RATE_BUDGETS; b++) {
        assert_int_equal(rate[b].burst, 0);
    }
}

static void test_budgets_units_and_bursts(void **state)
{
    (void)state;
    parse_ok("read=20/s:40, write=5/m,address=7200/h:3", 1);
    assert_int_equal(rate[DNSAPI_RATE_READ].n, 20);
    assert_int_equal(rate[DNSAPI_RATE_READ].unit_s, 1);
    assert_int_equal(rate[DNSAPI_RATE_READ].burst, 40);
    assert_int_equal(rate[DNSAPI_RATE_READ].period_ns, SEC / 20);
    assert_int_equal(rate[DNSAPI_RATE_WRITE].unit_s, 60);
    assert_int_equal(rate[DNSAPI_RATE_WRITE].burst, 5); /* the burst defaults to N */
    assert_int_equal(rate[DNSAPI_RATE_WRITE].period_ns, 12 * SEC);
    assert_int_equal(rate[DNSAPI_RATE_ADDRESS].period_ns, SEC / 2);
    assert_int_equal(rate[DNSAPI_RATE_ADDRESS].burst, 3);
    /* a budget left out is unlimited */
    parse_ok("write=1/s", 1);
    assert_int_equal(rate[DNSAPI_RATE_READ].burst, 0);
    assert_int_equal(rate[DNSAPI_RATE_ADDRESS].burst, 0);
    assert_string_equal(dnsapi_rate_budget_name(DNSAPI_RATE_ADDRESS), "address");
}

static void test_bad_values_say_what_is_wrong(void **state)
{
    (void)state;
    parse_refused("reads=1/s", "unknown budget 'reads'");
    parse_refused("read=1/s,read=2/s", "'read' is given twice");
    parse_refused("read=0/s", "N/s, N/m or N/h");
    parse_refused("read=10", "N/s, N/m or N/h");
    parse_refused("read=10/d", "N/s, N/m or N/h");
    parse_refused("read=1000001/s", "N/s, N/m or N/h");
    parse_refused("read=10:5/s", "N/s, N/m or N/h");
    parse_refused("read=10/s:0", "the burst of budget 'read'");
    parse_refused("read=10/s:x", "the burst of budget 'read'");
    parse_refused("read=10/s,", "BUDGET=N/UNIT[:BURST]");
    parse_refused("on", "BUDGET=N/UNIT[:BURST]");
}

static void test_config_load_reads_the_variable(void **state)
{
    (void)state;
    dnsapi_config_t *cfg = calloc(1, sizeof(*cfg));
    assert_non_null(cfg);
    testutil_env_clear_dnsapi();
    assert_int_equal(dnsapi_config_load(cfg, 0, err, sizeof(err)), 0);
    assert_int_equal(cfg->has_rate_limit, 0);
    setenv("DNSAPI_RATE_LIMIT", "read=10/s:20,address=2/s", 1);
    assert_int_equal(dnsapi_config_load(cfg, 0, err, sizeof(err)), 0);
    assert_int_equal(cfg->has_rate_limit, 1);
    assert_int_equal(cfg->rate[DNSAPI_RATE_READ].burst, 20);
    assert_int_equal(cfg->rate[DNSAPI_RATE_WRITE].burst, 0);
    setenv("DNSAPI_RATE_LIMIT", "read=10/x", 1);
    assert_int_equal(dnsapi_config_load(cfg, 0, err, sizeof(err)), -1);
    assert_true(strncmp(err, "DNSAPI_RATE_LIMIT: ", 19) == 0);
    assert_non_null(strstr(dnsapi_config_help, "DNSAPI_RATE_LIMIT"));
    testutil_env_clear_dnsapi();
    free(cfg);
}

/* ---- the table ------------------------------------------------------------ */

static const dnsapi_rate_t ten_per_s_burst_5 = {
    .n = 10, .unit_s = 1, .burst = 5, .period_ns = SEC / 10};

static ratelimit_result_t take(ratelimit_t *rl, int budget, const char *key, uint64_t now)
{
    ratelimit_result_t res;
    ratelimit_take(rl, budget, &ten_per_s_burst_5, key, strlen(key), now, &res);
    return res;
}

static void test_burst_then_refused_with_retry_after(void **state)
{
    (void)state;
    ratelimit_t *rl = ratelimit_new(1024, 42);
    assert_non_null(rl);
    for (uint32_t i = 0; i < 5; i++) {
        ratelimit_result_t res = take(rl, DNSAPI_RATE_READ, "token-a", T0);
        assert_true(res.allowed);
        assert_int_equal(res.limit, 5);
        assert_int_equal(res.remaining, 4 - i);
        assert_int_equal(res.reset_ns, (i + 1) * (SEC / 10)); /* until whole again */
    }
    ratelimit_result_t res = take(rl, DNSAPI_RATE_READ, "token-a", T0);
    assert_false(res.allowed);
    assert_int_equal(res.remaining, 0);
    assert_int_equal(res.retry_ns, SEC / 10);
    assert_int_equal(ratelimit_seconds(res.retry_ns), 1);
    /* a refused request spends nothing: still one period to wait */
    res = take(rl, DNSAPI_RATE_READ, "token-a", T0 + SEC / 20);
    assert_false(res.allowed);
    assert_int_equal(res.retry_ns, SEC / 20);
    /* one period later one request fits, and only one */
    res = take(rl, DNSAPI_RATE_READ, "token-a", T0 + SEC / 10);
    assert_true(res.allowed);
    assert_int_equal(res.remaining, 0);
    assert_false(take(rl, DNSAPI_RATE_READ, "token-a", T0 + SEC / 10).allowed);
    /* idle for long: the whole burst again, never more */
    res = take(rl, DNSAPI_RATE_READ, "token-a", T0 + 3600 * SEC);
    assert_true(res.allowed);
    assert_int_equal(res.remaining, 4);
    ratelimit_free(rl);
}

static void test_keys_and_budgets_are_independent(void **state)
{
    (void)state;
    ratelimit_t *rl = ratelimit_new(1024, 7);
    for (int i = 0; i < 5; i++) {
        assert_true(take(rl, DNSAPI_RATE_WRITE, "token-a", T0).allowed);
    }
    assert_false(take(rl, DNSAPI_RATE_WRITE, "token-a", T0).allowed);
    /* the same token's reads, another token's writes: untouched */
    ratelimit_result_t res = take(rl, DNSAPI_RATE_READ, "token-a", T0);
    assert_true(res.allowed);
    assert_int_equal(res.remaining, 4);
    res = take(rl, DNSAPI_RATE_WRITE, "token-b", T0);
    assert_true(res.allowed);
    assert_int_equal(res.remaining, 4);
    /* keys are compared whole: a prefix is another key */
    assert_true(take(rl, DNSAPI_RATE_WRITE, "token", T0).allowed);
    ratelimit_free(rl);
}

static void test_slow_rates_wait_whole_periods(void **state)
{
    (void)state;
    ratelimit_t *rl = ratelimit_new(64, 1);
    const dnsapi_rate_t per_hour = {.n = 60, .unit_s = 3600, .burst = 2, .period_ns = 60 * SEC};
    ratelimit_result_t res;
    ratelimit_take(rl, DNSAPI_RATE_ADDRESS, &per_hour, "\x7f\0\0\x01", 4, T0, &res);
    ratelimit_take(rl, DNSAPI_RATE_ADDRESS, &per_hour, "\x7f\0\0\x01", 4, T0, &res);
    assert_true(res.allowed);
    assert_int_equal(ratelimit_seconds(res.reset_ns), 120);
    ratelimit_take(rl, DNSAPI_RATE_ADDRESS, &per_hour, "\x7f\0\0\x01", 4, T0 + SEC, &res);
    assert_false(res.allowed);
    assert_int_equal(ratelimit_seconds(res.retry_ns), 59);
    assert_int_equal(ratelimit_seconds(res.reset_ns), 119);
    ratelimit_free(rl);
}

/* A flood of distinct addresses fills the table and no more; a busy key
 * among them keeps its budget while idle ones make room. */
static void test_flood_of_keys_stays_within_the_table(void **state)
{
    (void)state;
    ratelimit_t *rl = ratelimit_new(1024, 99);
    ratelimit_stats_t st;
    ratelimit_stats(rl, &st);
    assert_int_equal(st.slots, 1024);
    assert_int_equal(st.used, 0);
    for (uint32_t i = 0; i < 200000; i++) {
        char key[16];
        snprintf(key, sizeof(key), "a%u", i);
        /* each address long idle by the time the next arrives */
        assert_true(take(rl, DNSAPI_RATE_ADDRESS, key, T0 + (uint64_t)i * SEC).allowed);
    }
    ratelimit_stats(rl, &st);
    assert_int_equal(st.slots, 1024);
    assert_true(st.used <= st.slots);
    assert_true(st.used > st.slots / 2);
    assert_int_equal(st.evictions, 0); /* only full buckets were forgotten */

    /* now all at once: slots are taken from buckets not yet full */
    uint64_t now = T0 + 300000 * SEC;
    for (uint32_t i = 0; i < 5; i++) {
        take(rl, DNSAPI_RATE_READ, "busy", now);
    }
    for (uint32_t i = 0; i < 20000; i++) {
        char key[16];
        snprintf(key, sizeof(key), "b%u", i);
        take(rl, DNSAPI_RATE_ADDRESS, key, now);
    }
    ratelimit_stats(rl, &st);
    assert_true(st.used <= st.slots);
    assert_true(st.evictions > 0);
    ratelimit_free(rl);
}

/* Many threads on one key at one instant: exactly the burst gets through. */
typedef struct {
    ratelimit_t *rl;
    const dnsapi_rate_t *rate;
    int allowed;
} worker_arg_t;

static void *hammer(void *p)
{
    worker_arg_t *a = p;
    for (int i = 0; i < 20000; i++) {
        ratelimit_result_t res;
        ratelimit_take(a->rl, DNSAPI_RATE_WRITE, a->rate, "shared", 6, T0, &res);
        a->allowed += res.allowed;
        /* other keys at the same time, on every stripe */
        char key[16];
        snprintf(key, sizeof(key), "k%d", i % 4096);
        ratelimit_take(a->rl, DNSAPI_RATE_READ, a->rate, key, strlen(key), T0, &res);
    }
    return NULL;
}

static void test_one_budget_across_threads(void **state)
{
    (void)state;
    ratelimit_t *rl = ratelimit_new(RATELIMIT_DEFAULT_SLOTS, 0);
    const dnsapi_rate_t rate_ = {.n = 1, .unit_s = 1, .burst = 1000, .period_ns = SEC};
    pthread_t tid[4];
    worker_arg_t args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (worker_arg_t){rl, &rate_, 0};
        assert_int_equal(pthread_create(&tid[i], NULL, hammer, &args[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(tid[i], NULL);
        total += args[i].allowed;
    }
    assert_int_equal(total, 1000);
    ratelimit_free(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_off_unless_set),
        cmocka_unit_test(test_budgets_units_and_bursts),
        cmocka_unit_test(test_bad_values_say_what_is_wrong),
        cmocka_unit_test(test_config_load_reads_the_variable),
        cmocka_unit_test(test_burst_then_refused_with_retry_after),
        cmocka_unit_test(test_keys_and_budgets_are_independent),
        cmocka_unit_test(test_slow_rates_wait_whole_periods),
        cmocka_unit_test(test_flood_of_keys_stays_within_the_table),
        cmocka_unit_test(test_one_budget_across_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
