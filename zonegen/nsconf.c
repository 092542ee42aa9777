#include "zonegen/nsconf.h"

#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "zonegen/file.h"

typedef struct {
    zonegen_ns_kind_t kind;
    const zonegen_nsconf_t *nc;
} nsconf_ctx_t;

/* The name without its trailing dot (NSD's %s and Knot's %s are the name
 * without it, so the entries are written that way too). */
static int name_len(const char *name)
{
    size_t len = strlen(name);
    return (int)(len > 1 && name[len - 1] == '.' ? len - 1 : len);
}

int zonegen_nsconf_lists_members(zonegen_ns_kind_t kind, const zonegen_nsconf_t *nc)
{
    if (!nc->list_members) {
        return 0;
    }
    /* Knot reads the members from the catalog it serves. */
    return !(kind == ZONEGEN_NS_KNOT && nc->catalog != NULL && nc->catalog[0] != '\0');
}

/* ---- NSD ------------------------------------------------------------- */

static void nsd_zone(FILE *fp, const char *name)
{
    fprintf(fp, "zone:\n\tname: \"%.*s\"\n\tinclude-pattern: \"dnsapi\"\n", name_len(name), name);
}

static void nsd_fill(FILE *fp, const zonegen_nsconf_t *nc)
{
    const char *key = nc->key != NULL ? nc->key->name : "NOKEY";
    if (nc->key != NULL) {
        fprintf(fp, "key:\n\tname: \"%s\"\n\talgorithm: %s\n\tsecret: \"%s\"\n", nc->key->name,
                nc->key->algorithm, nc->key->secret);
    }
    fprintf(fp, "pattern:\n\tname: \"dnsapi\"\n\tzonefile: \"%s/%%s.zone\"\n", nc->dir);
    for (size_t i = 0; i < nc->n_secondaries; i++) {
        const dnsapi_hostport_t *a = &nc->secondaries[i].addr;
        fprintf(fp, "\t# %s\n\tprovide-xfr: %s %s\n\tnotify: %s@%u %s\n", nc->secondaries[i].name,
                a->host, key, a->host, (unsigned)a->port, key);
    }
    if (nc->catalog != NULL && nc->catalog[0] != '\0') {
        nsd_zone(fp, nc->catalog);
    }
    if (zonegen_nsconf_lists_members(ZONEGEN_NS_NSD, nc)) {
        for (size_t i = 0; i < nc->n; i++) {
            nsd_zone(fp, nc->names[i]);
        }
    }
}

/* ---- Knot ------------------------------------------------------------ */

static void knot_fill(FILE *fp, const zonegen_nsconf_t *nc)
{
    int has_catalog = nc->catalog != NULL && nc->catalog[0] != '\0';
    if (nc->key != NULL) {
        fprintf(fp, "key:\n  - id: \"%s\"\n    algorithm: %s\n    secret: \"%s\"\n", nc->key->name,
                nc->key->algorithm, nc->key->secret);
    }
    if (nc->n_secondaries > 0) {
        fputs("remote:\n", fp);
        for (size_t i = 0; i < nc->n_secondaries; i++) {
            const dnsapi_hostport_t *a = &nc->secondaries[i].addr;
            fprintf(fp, "  - id: \"dnsapi-secondary-%zu\" # %s\n    address: \"%s@%u\"\n", i + 1,
                    nc->secondaries[i].name, a->host, (unsigned)a->port);
            if (nc->key != NULL) {
                fprintf(fp, "    key: \"%s\"\n", nc->key->name);
            }
        }
        fputs("acl:\n  - id: \"dnsapi-transfer\"\n    address: [", fp);
        for (size_t i = 0; i < nc->n_secondaries; i++) {
            fprintf(fp, "%s\"%s\"", i ? ", " : "", nc->secondaries[i].addr.host);
        }
        fputs("]\n", fp);
        if (nc->key != NULL) {
            fprintf(fp, "    key: \"%s\"\n", nc->key->name);
        }
        fputs("    action: transfer\n", fp);
    }
    /* Journal and differences: a changed zone goes out as IXFR. */
    fprintf(fp,
            "template:\n  - id: \"dnsapi\"\n    storage: \"%s\"\n    file: \"%%s.zone\"\n"
            "    zonefile-sync: -1\n    zonefile-load: difference\n"
            "    journal-content: changes\n",
            nc->dir);
    if (nc->n_secondaries > 0) {
        fputs("    notify: [", fp);
        for (size_t i = 0; i < nc->n_secondaries; i++) {
            fprintf(fp, "%s\"dnsapi-secondary-%zu\"", i ? ", " : "", i + 1);
        }
        fputs("]\n    acl: \"dnsapi-transfer\"\n", fp);
    }
    int members = zonegen_nsconf_lists_members(ZONEGEN_NS_KNOT, nc);
    /* Knot refuses a section without items. */
    if (!has_catalog && !(members && nc->n > 0)) {
        return;
    }
    fputs("zone:\n", fp);
    if (has_catalog) {
        fprintf(fp,
                "  - domain: \"%s\"\n    template: \"dnsapi\"\n    catalog-role: interpret\n"
                "    catalog-template: \"dnsapi\"\n",
                nc->catalog);
    }
    for (size_t i = 0; members && i < nc->n; i++) {
        fprintf(fp, "  - domain: \"%s\"\n    template: \"dnsapi\"\n", nc->names[i]);
    }
}

/* ---- BIND ------------------------------------------------------------ */

static void bind_zone(FILE *fp, const zonegen_nsconf_t *nc, const char *name)
{
    /* check-names warn: owners and targets that are not host names
     * (DNS-SD instances, RFC 2317 names, escaped octets) are valid DNS;
     * BIND's default for primaries would refuse the zone */
    fprintf(fp, "zone \"%s\" { type primary; file \"%s/%.*s.zone\"; check-names warn;", name,
            nc->dir, name_len(name), name);
    if (nc->n_secondaries == 0) {
        fputs(" allow-transfer { none; }; notify no; };\n", fp);
        return;
    }
    /* Both conditions at once: from those addresses, and with the key. */
    if (nc->key != NULL) {
        fprintf(fp,
                " allow-transfer { !{ !dnsapi-secondaries; any; }; key \"%s\"; };"
                " notify explicit; also-notify { dnsapi-notify; };",
                nc->key->name);
    } else {
        fputs(" allow-transfer { dnsapi-secondaries; }; notify explicit;"
              " also-notify { dnsapi-notify; };",
              fp);
    }
    fputs(" };\n", fp);
}

static void bind_fill(FILE *fp, const zonegen_nsconf_t *nc)
{
    if (nc->key != NULL) {
        fprintf(fp, "key \"%s\" { algorithm %s; secret \"%s\"; };\n", nc->key->name,
                nc->key->algorithm, nc->key->secret);
    }
    if (nc->n_secondaries > 0) {
        fputs("acl \"dnsapi-secondaries\" {", fp);
        for (size_t i = 0; i < nc->n_secondaries; i++) {
            fprintf(fp, " %s;", nc->secondaries[i].addr.host);
        }
        fputs(" };\nprimaries \"dnsapi-notify\" {", fp);
        for (size_t i = 0; i < nc->n_secondaries; i++) {
            const dnsapi_hostport_t *a = &nc->secondaries[i].addr;
            fprintf(fp, " %s port %u", a->host, (unsigned)a->port);
            if (nc->key != NULL) {
                fprintf(fp, " key \"%s\"", nc->key->name);
            }
            fprintf(fp, "; /* %s */", nc->secondaries[i].name);
        }
        fputs(" };\n", fp);
    }
    if (nc->catalog != NULL && nc->catalog[0] != '\0') {
        bind_zone(fp, nc, nc->catalog);
    }
    if (zonegen_nsconf_lists_members(ZONEGEN_NS_BIND, nc)) {
        for (size_t i = 0; i < nc->n; i++) {
            bind_zone(fp, nc, nc->names[i]);
        }
    }
}

static int nsconf_fill(FILE *fp, void *arg, char *errbuf, size_t errlen)
{
    nsconf_ctx_t *ctx = arg;
    const zonegen_nsconf_t *nc = ctx->nc;
    const char *comment = ctx->kind == ZONEGEN_NS_BIND ? "//" : "#";
    size_t listed = zonegen_nsconf_lists_members(ctx->kind, nc) ? nc->n : 0;
    fprintf(fp,
            "%s Written by dnsapi zonegen: %zu zone(s) listed, %zu secondary(ies)%s%s. Do not "
            "edit; it is rewritten.\n",
            comment, listed, nc->n_secondaries, nc->catalog && nc->catalog[0] ? ", catalog " : "",
            nc->catalog ? nc->catalog : "");
    switch (ctx->kind) {
    case ZONEGEN_NS_NSD:
        nsd_fill(fp, nc);
        break;
    case ZONEGEN_NS_KNOT:
        knot_fill(fp, nc);
        break;
    case ZONEGEN_NS_BIND:
        bind_fill(fp, nc);
        break;
    }
    if (ferror(fp)) {
        snprintf(errbuf, errlen, "write failed");
        return DNSAPI_EIO;
    }
    return DNSAPI_OK;
}

int zonegen_nsconf_write(zonegen_ns_kind_t kind, const char *path, const zonegen_nsconf_t *nc,
                         char *errbuf, size_t errlen)
{
    nsconf_ctx_t ctx = {.kind = kind, .nc = nc};
    return zonegen_file_replace_mode(path, nc->key != NULL ? 0640 : 0644, nsconf_fill, &ctx, errbuf,
                                     errlen);
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
