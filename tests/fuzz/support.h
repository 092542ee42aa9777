/*
 * support.h - what every libFuzzer harness of tests/fuzz shares: invariant
 * checks that stop the run, splitting an input into fields, deterministic
 * sampling of expensive checks, and the three name servers' zone checkers.
 *
 * A harness is one file tests/fuzz/fuzz_<name>.c defining
 * LLVMFuzzerTestOneInput (and LLVMFuzzerInitialize if it needs set-up), plus
 * a seed corpus folder tests/fuzz/corpus/<name>/; tests/fuzz/README.md says
 * more.
 */
#ifndef DNSAPI_FUZZ_SUPPORT_H
#define DNSAPI_FUZZ_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Prints where and why, with the formatted detail, then aborts: libFuzzer
 * saves the input as a crash and the run fails. */
void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 4, 5)));

/* An invariant of the code under test: aborts the run when it does not
 * hold. The detail (printf format and arguments) should show the input. */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                                     \
        }                                                                                          \
    } while (0)

#define FUZZ_MAX_FIELDS 8

/* An input cut into NUL-terminated fields. A NUL byte inside a field ends
 * that field's C string early, as it would in any C caller. */
typedef struct {
    char *buf;
    char *field[FUZZ_MAX_FIELDS];
    size_t n;
} fuzz_fields_t;

/* Splits data[0..size) at the byte sep into at most max (<=
 * FUZZ_MAX_FIELDS) fields; the last field takes the rest, separators and
 * all. Fields that are missing are empty strings, so f->field[0..max) are
 * always valid. f->n counts the fields present. Free with fuzz_fields_clear. */
void fuzz_fields_split(fuzz_fields_t *f, const uint8_t *data, size_t size, char sep, size_t max);
void fuzz_fields_clear(fuzz_fields_t *f);

/* True for about one input in DNSAPI_FUZZ_CHECK_EVERY (default 256; 1:
 * every input; 0: none), chosen by a hash of the input, so that a saved
 * input reproduces the same decision. For checks too slow for every run. */
bool fuzz_sampled(const uint8_t *data, size_t size);

/* Writes text (a master file for zone, an absolute name) to a scratch file
 * and runs nsd-checkzone, kzonecheck and named-checkzone on it, as the
 * integration tests do. Returns NULL when all three load it, else the name
 * of the first that refuses it, with its output in report. Aborts when a
 * checker cannot be run at all. */
const char *fuzz_zone_check(const char *zone, const char *text, size_t len, char *report,
                            size_t reportlen);

/* Reads the file at rel (a path inside the source tree, e.g.
 * "openapi.yaml") into a malloc'd NUL-terminated buffer (free); aborts when
 * it cannot. The tree is $DNSAPI_SOURCE_DIR, else the one built from. */
char *fuzz_source_file(const char *rel);

/* Renders one record through dns_render_record to a malloc'd line
 * (free); aborts unless it renders as exactly one line without control
 * bytes. */
char *fuzz_render_line(const char *name, const char *type, uint32_t ttl, int prio,
                       const char *content);

/* Aborts unless ldns reads line (from fuzz_render_line; relative names
 * against zone) back as one record owned by name (absolute, in
 * presentation form) with type and ttl. */
void fuzz_line_reads_back(const char *zone, const char *line, const char *name, const char *type,
                          uint32_t ttl);

/* This process's scratch directory (made on first use, removed at exit). */
const char *fuzz_tmpdir(void);

#endif
