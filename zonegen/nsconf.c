#include "zonegen/nsconf.h"

#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "zonegen/file.h"

typedef struct {
    zonegen_ns_kind_t kind;
    const char *dir;
    char *const *names;
    size_t n;
} nsconf_ctx_t;

static int nsconf_fill(FILE *fp, void *arg, char *errbuf, size_t errlen)
{
    nsconf_ctx_t *nc = arg;
    const char *comment = nc->kind == ZONEGEN_NS_BIND ? "//" : "#";
    fprintf(fp, "%s Written by dnsapi zonegen: %zu zone(s). Do not edit; it is rewritten.\n",
            comment, nc->n);
    /* Knot refuses a section without items, so an empty list stays a
     * comment only. */
    if (nc->kind == ZONEGEN_NS_KNOT && nc->n > 0) {
        fputs("zone:\n", fp);
    }
    for (size_t i = 0; i < nc->n; i++) {
        char file[1400];
        if (zonegen_file_zone_path(nc->dir, nc->names[i], file, sizeof(file)) != 0) {
            snprintf(errbuf, errlen, "path too long for zone %s", nc->names[i]);
            return DNSAPI_EIO;
        }
        switch (nc->kind) {
        case ZONEGEN_NS_NSD:
            fprintf(fp, "zone:\n\tname: \"%s\"\n\tzonefile: \"%s\"\n", nc->names[i], file);
            break;
        case ZONEGEN_NS_KNOT:
            fprintf(fp, "  - domain: \"%s\"\n    file: \"%s\"\n", nc->names[i], file);
            break;
        case ZONEGEN_NS_BIND:
            /* check-names warn: owners and targets that are not host names
             * (DNS-SD instances, RFC 2317 names, escaped octets) are valid
             * DNS; BIND's default for primaries would refuse the zone */
            fprintf(fp, "zone \"%s\" { type primary; file \"%s\"; check-names warn; };\n",
                    nc->names[i], file);
            break;
        }
    }
    return ferror(fp) ? DNSAPI_EIO : DNSAPI_OK;
}

int zonegen_nsconf_write(zonegen_ns_kind_t kind, const char *path, const char *dir,
                         char *const *names, size_t n, char *errbuf, size_t errlen)
{
    nsconf_ctx_t nc = {.kind = kind, .dir = dir, .names = names, .n = n};
    return zonegen_file_replace(path, nsconf_fill, &nc, errbuf, errlen);
}

int zonegen_nsconf_path_check(const char *path)
{
    for (const unsigned char *p = (const unsigned char *)path; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\' || *p < 0x20 || *p == 0x7f) {
            return -1;
        }
    }
    return 0;
}
