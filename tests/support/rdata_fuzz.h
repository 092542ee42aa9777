/*
 * rdata_fuzz.h - a small deterministic mutation fuzzer for record content,
 * shared by the unit and integration tests: valid content of every
 * supported type with a few characters replaced, inserted or deleted.
 */
#ifndef DNSAPI_TESTS_RDATA_FUZZ_H
#define DNSAPI_TESTS_RDATA_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* The next pseudo-random number (0..32767) from *seed. */
uint32_t fuzz_next(uint32_t *seed);

/* Writes a mutated example (1 to max_edits edits) into buf and returns
 * its type. */
const char *rdata_fuzz_case(uint32_t *seed, int max_edits, char *buf, size_t buflen);

#endif
