/* Garbage for dns/reply.c under ctest: the checks of the reply fuzzer
 * (tests/fuzz/fuzz_dnsreply.c, included here) on every seed of
 * tests/fuzz/corpus/dnsreply/ and on a fixed, seeded stream of mutations of
 * them - bytes flipped, cut short, spliced, random - so that a regression
 * shows without libFuzzer. The fuzzer proper searches much further. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define DNSREPLY_STANDALONE 1
#include "fuzz/fuzz_dnsreply.c"

#define MAX_SEEDS 64
#define MAX_LEN 4096
#define MUTATIONS_PER_SEED 1500

typedef struct {
    uint8_t data[MAX_LEN];
    size_t len;
} seed_t;

static seed_t seeds[MAX_SEEDS];
static size_t n_seeds;

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int load_seeds(void **state)
{
    char dir[1024];
    const char *src = getenv("DNSAPI_SOURCE_DIR");
    snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/dnsreply", src ? src : ".");
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "cannot open %s (set DNSAPI_SOURCE_DIR)\n", dir);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n_seeds < MAX_SEEDS) {
        char path[1400];
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        FILE *fp = fopen(path, "rb");
        if (fp == NULL) {
            continue;
        }
        seeds[n_seeds].len = fread(seeds[n_seeds].data, 1, MAX_LEN, fp);
        fclose(fp);
        n_seeds++;
    }
    closedir(d);
    return n_seeds >= 10 ? 0 : -1;
}

static void test_every_seed_reads_within_the_invariants(void **state)
{
    size_t mine = 0;
    for (size_t i = 0; i < n_seeds; i++) {
        LLVMFuzzerTestOneInput(seeds[i].data, seeds[i].len);
        dns_answer_t a;
        const uint8_t *d = seeds[i].data;
        size_t pick = (size_t)(d[0] & 0x7f) % (sizeof(questions) / sizeof(*questions));
        dns_answer_init(&a, questions[pick].name, questions[pick].type);
        if (seeds[i].len >= 3 && dns_reply_read(d + 1, seeds[i].len - 1, dns_query_id(d + 1),
                                                a.qname, a.qtype, &a) == DNS_REPLY_MINE) {
            mine++;
        }
    }
    /* most seeds are real replies: they must be read as such */
    assert_true(mine >= 8);
}

static void test_mutated_seeds_never_break_the_reader(void **state)
{
    uint8_t buf[MAX_LEN];
    for (size_t i = 0; i < n_seeds; i++) {
        for (int m = 0; m < MUTATIONS_PER_SEED; m++) {
            size_t len = seeds[i].len;
            memcpy(buf, seeds[i].data, len);
            switch (next() % 4) {
            case 0: /* flip a few bytes */
                for (int k = 0; k < 1 + (int)(next() % 4); k++) {
                    buf[1 + next() % (len - 1)] ^= (uint8_t)(1u << (next() % 8));
                }
                break;
            case 1: /* cut short */
                len = 1 + next() % len;
                break;
            case 2: { /* splice another seed's tail */
                const seed_t *o = &seeds[next() % n_seeds];
                size_t at = 1 + next() % (len - 1);
                size_t from = next() % o->len;
                size_t take = o->len - from;
                if (at + take > MAX_LEN) {
                    take = MAX_LEN - at;
                }
                memcpy(buf + at, o->data + from, take);
                len = at + take;
                break;
            }
            default: /* random bytes after a header kept */
                for (size_t k = 13; k < len; k++) {
                    buf[k] = (uint8_t)next();
                }
                break;
            }
            LLVMFuzzerTestOneInput(buf, len);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_seed_reads_within_the_invariants),
        cmocka_unit_test(test_mutated_seeds_never_break_the_reader),
    };
    return cmocka_run_group_tests(tests, load_seeds, NULL);
}
