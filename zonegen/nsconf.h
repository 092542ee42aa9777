/*
 * nsconf.h - the primary name server's part of the configuration that
 * zonegen keeps: include files for NSD, Knot and BIND holding the TSIG
 * key, the transfer and NOTIFY settings for the secondaries, the catalog
 * zone and (unless the server learns them another way) every member zone
 * with its master file. Rewritten atomically when zones come or go.
 *
 * Per kind, what comes in:
 *   NSD   key:, a pattern "dnsapi" (zonefile <dir>/%s.zone, provide-xfr
 *         and notify per secondary), zone: entries using it.
 *   Knot  key:, remote: per secondary, acl "dnsapi-transfer", a template
 *         "dnsapi" (file %s.zone, notify, acl, IXFR from differences),
 *         zone: entries; with a catalog, Knot reads the members from it
 *         (catalog-role: interpret) and none is listed.
 *   BIND  key, acl "dnsapi-secondaries", zone statements with
 *         allow-transfer (those addresses and the key) and also-notify.
 */
#ifndef DNSAPI_ZONEGEN_NSCONF_H
#define DNSAPI_ZONEGEN_NSCONF_H

#include <stddef.h>

#include "common/config.h"

typedef enum {
    ZONEGEN_NS_NSD,
    ZONEGEN_NS_KNOT,
    ZONEGEN_NS_BIND,
} zonegen_ns_kind_t;

/* What goes into an include; everything borrowed. */
typedef struct {
    const char *dir;    /* absolute zone folder */
    char *const *names; /* member zones, absolute */
    size_t n;
    int list_members;    /* 0: the server learns members another way (DNSAPI_ZONES_ADD_CMD) */
    const char *catalog; /* absolute catalog zone name, or "" */
    const dnsapi_server_t *secondaries;
    size_t n_secondaries;
    const dnsapi_tsig_key_t *key; /* NULL: transfers without TSIG */
} zonegen_nsconf_t;

/* Replaces the include at path with what nc describes for kind (mode 0640
 * when it holds the key's secret, else 0644). Returns DNSAPI_OK or a
 * negative status with errbuf filled. */
int zonegen_nsconf_write(zonegen_ns_kind_t kind, const char *path, const zonegen_nsconf_t *nc,
                         char *errbuf, size_t errlen);

/* True when the include of kind names member zones one by one (so that it
 * must be rewritten when they come or go). */
int zonegen_nsconf_lists_members(zonegen_ns_kind_t kind, const zonegen_nsconf_t *nc);

/* Checks that a path can be written inside a quoted string of all three
 * formats (no '"', '\\', control characters). Returns 0 or -1. */
int zonegen_nsconf_path_check(const char *path);

#endif
