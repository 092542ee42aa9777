/*
 * ratelimit_take.c - what one request's count against its budget costs
 * (api/ratelimit.c alone, no HTTP): nanoseconds per ratelimit_take with
 * one key shared by every thread (one token on every loop: one stripe),
 * with a key per thread, and with a new key every time (a flood of
 * addresses: every call takes a slot from another key). CPU time per
 * call (the threads' own clocks, so that other work on the machine does not
 * count). Built and run by bench/ratelimit.sh; prints one line per case.
 *
 *   ratelimit_take THREADS CALLS_PER_THREAD
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/ratelimit.h"

enum { SHARED, PER_THREAD, FLOOD };

typedef struct {
    ratelimit_t *rl;
    int mode, id;
    long calls;
    long allowed;
    uint64_t cpu_ns; /* the thread's CPU time over its calls */
} arg_t;

static const dnsapi_rate_t budget = {
    .n = 1000000, .unit_s = 1, .burst = 1000000, .period_ns = 1000};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *worker(void *p)
{
    arg_t *a = p;
    uint64_t c0 = cpu_ns();
    char key[40];
    int len = snprintf(key, sizeof(key), "%08x-0000-4000-8000-%012x", 0x5eed,
                       a->mode == SHARED ? 0 : a->id);
    /* the server passes the request's arrival time, read anyway: the clock
     * is read here once per 256 calls, not counted against each */
    uint64_t now = now_ns();
    for (long i = 0; i < a->calls; i++) {
        if ((i & 255) == 0) {
            now = now_ns();
        }
        if (a->mode == FLOOD) {
            uint32_t addr = (uint32_t)a->id << 28 | (uint32_t)i;
            memcpy(key, &addr, 4);
            len = 4;
        }
        ratelimit_result_t res;
        ratelimit_take(a->rl, a->mode == FLOOD ? DNSAPI_RATE_ADDRESS : DNSAPI_RATE_READ, &budget,
                       key, (size_t)len, now, &res);
        a->allowed += res.allowed;
    }
    a->cpu_ns = cpu_ns() - c0;
    return NULL;
}

static void run(const char *label, int mode, int threads, long calls)
{
    ratelimit_t *rl = ratelimit_new(RATELIMIT_DEFAULT_SLOTS, 0);
    pthread_t tid[64];
    arg_t args[64];
    for (int i = 0; i < threads; i++) {
        args[i] = (arg_t){rl, mode, i, calls, 0, 0};
        pthread_create(&tid[i], NULL, worker, &args[i]);
    }
    uint64_t cpu = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        cpu += args[i].cpu_ns;
    }
    ratelimit_stats_t st;
    ratelimit_stats(rl, &st);
    printf("%-24s threads=%d calls=%ld cpu_ns_per_call=%.0f keys=%zu evictions=%llu\n", label,
           threads, calls * threads, (double)cpu / (double)(calls * threads), st.used,
           st.evictions);
    ratelimit_free(rl);
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    long calls = argc > 2 ? atol(argv[2]) : 5000000;
    if (threads < 1 || threads > 64 || calls < 1) {
        fprintf(stderr, "usage: ratelimit_take THREADS(1-64) CALLS_PER_THREAD\n");
        return 2;
    }
    run("one key, every thread", SHARED, threads, calls);
    run("one key per thread", PER_THREAD, threads, calls);
    run("a new key every call", FLOOD, threads, calls);
    return 0;
}
