/*
 * policy.c - credential policies and their matcher (see policy.h).
 */
#include "dns/policy.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dns/wire.h"

#define MAX_LABELS 128

/* Splits an absolute name into labels (pointers into buf, a copy). */
static size_t labels_split(const char *name, char *buf, size_t buflen, const char **labels)
{
    size_t n = 0;
    snprintf(buf, buflen, "%s", name);
    size_t len = strlen(buf);
    if (len > 0 && buf[len - 1] == '.') {
        buf[--len] = '\0';
    }
    if (len == 0) {
        return 0;
    }
    char *p = buf;
    while (n < MAX_LABELS) {
        labels[n++] = p;
        char *dot = strchr(p, '.');
        if (dot == NULL) {
            break;
        }
        *dot = '\0';
        p = dot + 1;
    }
    return n;
}

static int bad_name(dnsapi_err_t *err, const char *why)
{
    return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_policy_name", "policies", "%s", why);
}

/* Checks a pattern's labels: letters, digits, '-', '_', a whole "*" or one
 * whole "**". */
static int pattern_check(const char *pattern, dnsapi_err_t *err)
{
    char buf[DNS_NAME_BUFSIZE];
    const char *labels[MAX_LABELS];
    size_t n = labels_split(pattern, buf, sizeof(buf), labels);
    size_t globs = 0;
    if (n == 0) {
        return bad_name(err, "A policy name must not be the root.");
    }
    for (size_t i = 0; i < n; i++) {
        const char *l = labels[i];
        size_t len = strlen(l);
        if (len == 0 || len > 63) {
            return bad_name(err, "A policy name has an empty label or one over 63 characters.");
        }
        if (strcmp(l, "**") == 0) {
            globs++;
            continue;
        }
        if (strcmp(l, "*") == 0) {
            continue;
        }
        for (size_t j = 0; j < len; j++) {
            unsigned char c = (unsigned char)l[j];
            if (!(isalnum(c) || c == '-' || c == '_')) {
                return bad_name(err, "A policy name has labels of letters, digits, '-' and '_', "
                                     "or a whole \"*\" (one label) or \"**\" (any number).");
            }
        }
    }
    if (globs > 1) {
        return bad_name(err, "A policy name may hold \"**\" once.");
    }
    return DNSAPI_OK;
}

int dns_policy_make(const char *zone, const char *name, const char *type, bool write,
                    dns_policy_t *out, dnsapi_err_t *err)
{
    memset(out, 0, sizeof(*out));
    out->write = write;
    if (zone != NULL && zone[0] != '\0') {
        int rc = dns_zone_name_normalize(zone, out->zone, sizeof(out->zone), err);
        if (rc != DNSAPI_OK) {
            snprintf(err->field, sizeof(err->field), "policies");
            return rc;
        }
    }
    if (type != NULL && type[0] != '\0') {
        int rc = dns_type_normalize(type, out->type, sizeof(out->type), err);
        if (rc != DNSAPI_OK) {
            snprintf(err->field, sizeof(err->field), "policies");
            return rc;
        }
    }
    if (name == NULL || name[0] == '\0') {
        return DNSAPI_OK;
    }
    size_t len = strlen(name);
    if (len >= DNS_NAME_BUFSIZE - 1) {
        return bad_name(err, "A policy name is longer than a domain name may be.");
    }
    char full[DNS_NAME_BUFSIZE * 2];
    if (strcmp(name, "@") == 0 || name[len - 1] != '.') {
        if (out->zone[0] == '\0') {
            return bad_name(err, "A relative policy name needs the policy's zone: give \"zone\" "
                                 "or write the name in full with a trailing dot.");
        }
        if (strcmp(name, "@") == 0) {
            snprintf(full, sizeof(full), "%s", out->zone);
        } else {
            snprintf(full, sizeof(full), "%s.%s", name, out->zone);
        }
    } else {
        snprintf(full, sizeof(full), "%s", name);
    }
    if (strlen(full) >= sizeof(out->name)) {
        return bad_name(err, "A policy name is longer than a domain name may be.");
    }
    for (char *p = full; *p != '\0'; p++) {
        *p = (char)tolower((unsigned char)*p);
    }
    int rc = pattern_check(full, err);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    snprintf(out->name, sizeof(out->name), "%s", full);
    return DNSAPI_OK;
}

static bool label_matches(const char *pattern, const char *label)
{
    return strcmp(pattern, "*") == 0 || strcasecmp(pattern, label) == 0;
}

bool dns_policy_name_matches(const char *pattern, const char *name)
{
    char pbuf[DNS_NAME_BUFSIZE], nbuf[DNS_WIRE_NAME_TEXT];
    const char *pl[MAX_LABELS], *nl[MAX_LABELS];
    size_t np = labels_split(pattern, pbuf, sizeof(pbuf), pl);
    size_t nn = labels_split(name, nbuf, sizeof(nbuf), nl);
    size_t glob = np;

    for (size_t i = 0; i < np; i++) {
        if (strcmp(pl[i], "**") == 0) {
            glob = i;
            break;
        }
    }
    if (glob == np) {
        if (np != nn) {
            return false;
        }
        for (size_t i = 0; i < np; i++) {
            if (!label_matches(pl[i], nl[i])) {
                return false;
            }
        }
        return true;
    }
    /* pl[0..glob) against the leftmost labels, pl(glob..np) against the
     * rightmost; "**" takes whatever lies between (possibly nothing). */
    size_t suffix = np - glob - 1;
    if (nn < glob + suffix) {
        return false;
    }
    for (size_t i = 0; i < glob; i++) {
        if (!label_matches(pl[i], nl[i])) {
            return false;
        }
    }
    for (size_t i = 0; i < suffix; i++) {
        if (!label_matches(pl[np - 1 - i], nl[nn - 1 - i])) {
            return false;
        }
    }
    return true;
}

bool dns_policy_allows(const dns_policy_t *policies, size_t n, const char *zone, const char *name,
                       const char *type, bool write)
{
    if (n == 0) {
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        const dns_policy_t *p = &policies[i];
        if (write && !p->write) {
            continue;
        }
        if (p->zone[0] != '\0' && strcmp(p->zone, zone) != 0) {
            continue;
        }
        if (p->type[0] != '\0' && strcasecmp(p->type, type) != 0) {
            continue;
        }
        if (p->name[0] != '\0' && !dns_policy_name_matches(p->name, name)) {
            continue;
        }
        return true;
    }
    return false;
}

bool dns_policy_covers(const dns_policy_t *outer, size_t n_outer, const dns_policy_t *inner)
{
    for (size_t i = 0; i < n_outer; i++) {
        const dns_policy_t *o = &outer[i];
        if ((inner->write && !o->write) ||
            (o->zone[0] != '\0' && strcmp(o->zone, inner->zone) != 0) ||
            (o->type[0] != '\0' && strcasecmp(o->type, inner->type) != 0)) {
            continue;
        }
        /* a name pattern is covered by the same pattern, or by any name */
        if (o->name[0] != '\0' && strcmp(o->name, inner->name) != 0) {
            continue;
        }
        return true;
    }
    return false;
}
