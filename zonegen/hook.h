/*
 * hook.h - the reload command: DNSAPI_RELOAD_CMD with {zone} and {file}
 * substituted, run through /bin/sh -c with a time limit.
 */
#ifndef DNSAPI_ZONEGEN_HOOK_H
#define DNSAPI_ZONEGEN_HOOK_H

#include <stddef.h>

/* Expands tmpl into out: {zone} becomes the zone name without its trailing
 * dot and {file} the master file path, each single-quoted for the shell
 * (so the template must not quote them itself). Returns 0, or -1 when out
 * is too small. */
int zonegen_hook_expand(const char *tmpl, const char *zone, const char *file, char *out,
                        size_t outlen);

/* Runs cmd with /bin/sh -c in its own process group, stdin from /dev/null,
 * stdout and stderr captured. Waits at most timeout_ms, then kills the
 * group. Returns DNSAPI_OK on exit status 0; otherwise DNSAPI_EIO (or
 * DNSAPI_ETIMEOUT) with errbuf saying how it ended and the tail of its
 * output. */
int zonegen_hook_run(const char *cmd, int timeout_ms, char *errbuf, size_t errlen);

/* As zonegen_hook_run, with input (input_len bytes) on the command's stdin
 * (DNSAPI_ZONES_ADD_CMD and DNSAPI_ZONES_DEL_CMD get zone names that way). */
int zonegen_hook_run_input(const char *cmd, const char *input, size_t input_len, int timeout_ms,
                           char *errbuf, size_t errlen);

#endif
