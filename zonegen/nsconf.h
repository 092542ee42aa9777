/*
 * nsconf.h - the name servers' zone lists: include files for NSD, Knot
 * and BIND naming every zone zonegen has written and its master file,
 * rewritten atomically whenever zones come or go.
 */
#ifndef DNSAPI_ZONEGEN_NSCONF_H
#define DNSAPI_ZONEGEN_NSCONF_H

#include <stddef.h>

typedef enum {
    ZONEGEN_NS_NSD,  /* zone: blocks with name and zonefile */
    ZONEGEN_NS_KNOT, /* zone: list entries with domain and file */
    ZONEGEN_NS_BIND, /* zone "x" { type primary; file "..."; }; */
} zonegen_ns_kind_t;

/* Replaces the include at path (zonegen_file_replace) with entries for the
 * n absolute zone names in names, each with its master file in dir (which
 * should be absolute, since the server resolves it). Returns DNSAPI_OK or
 * a negative status with errbuf filled. Borrows everything. */
int zonegen_nsconf_write(zonegen_ns_kind_t kind, const char *path, const char *dir,
                         char *const *names, size_t n, char *errbuf, size_t errlen);

/* Checks that a path can be written inside a quoted string of all three
 * formats (no '"', '\\', control characters). Returns 0 or -1. */
int zonegen_nsconf_path_check(const char *path);

#endif
