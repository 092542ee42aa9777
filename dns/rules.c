/*
 * rules.c - zone-level consistency rules: system records, TTL bounds and
 * RRsets, CNAME exclusivity, name-server targets and the warnings a write
 * still deserves (missing glue, a single NS, occluded data).
 *
 * The rules see only the records the caller hands in (those at the name,
 * those at a target); fetching them is storage's job, so everything here
 * stays pure and unit-testable.
 */
#include "dns/dns.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool type_is(const char *type, const char *want)
{
    return type != NULL && strcasecmp(type, want) == 0;
}

static bool name_equal(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

/* SOA anywhere and NS at the apex belong to dnsapi. */
int dns_rules_check_system(const char *zone, const char *name, const char *type, dnsapi_err_t *err)
{
    if (type_is(type, "SOA")) {
        return dnsapi_err_set(err, DNSAPI_ESYSTEM, "system_record", "type",
                              "The SOA record is managed by dnsapi (its serial rises with every "
                              "change) and cannot be created, changed or deleted; NS records "
                              "for subdomains (delegations) are allowed.");
    }
    if (type_is(type, "NS") && name_equal(name, zone)) {
        return dnsapi_err_set(err, DNSAPI_ESYSTEM, "system_record", "name",
                              "The NS records at the zone apex (%s) are managed by dnsapi and "
                              "cannot be created, changed or deleted; NS records for "
                              "subdomains (delegations) are allowed.",
                              zone);
    }
    return DNSAPI_OK;
}

/* TTL within the configured bounds. */
int dns_rules_check_ttl(uint32_t ttl, uint32_t min, uint32_t max, dnsapi_err_t *err)
{
    if (ttl < min || ttl > max) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "ttl_out_of_range", "ttl",
                              "The TTL %u is out of range: give a number of seconds from %u to "
                              "%u.",
                              ttl, min, max);
    }
    return DNSAPI_OK;
}

static bool rr_same_data(const dns_rr_t *a, const dns_rr_t *b)
{
    return type_is(a->type, b->type) && strcmp(a->content, b->content) == 0 &&
           a->priority == b->priority;
}

/* Apex CNAME, duplicates, CNAME exclusivity, then one TTL per RRset, in
 * that order so that an exact repeat reads as a duplicate. */
int dns_rules_check_rrset(const char *zone, const dns_rr_t *rr, const dns_rr_t *at_name, size_t n,
                          dnsapi_err_t *err)
{
    bool is_cname = type_is(rr->type, "CNAME");

    if (is_cname && name_equal(rr->name, zone)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "cname_at_apex", "name",
                              "A CNAME cannot be at the zone apex %s, which must hold the SOA "
                              "and NS records: use A/AAAA records there, or put the CNAME on "
                              "a subdomain such as www.",
                              zone);
    }
    for (size_t i = 0; i < n; i++) {
        if (rr_same_data(rr, &at_name[i])) {
            return dnsapi_err_set(err, DNSAPI_ECONFLICT, "duplicate", "content",
                                  "This exact %s record already exists at %s.", rr->type, rr->name);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const dns_rr_t *other = &at_name[i];
        if (is_cname && type_is(other->type, "CNAME")) {
            return dnsapi_err_set(err, DNSAPI_ECONFLICT, "cname_conflict", "type",
                                  "%s already has a CNAME (to %s); a name has at most one: "
                                  "change that record instead.",
                                  rr->name, other->content);
        }
        if (is_cname) {
            return dnsapi_err_set(err, DNSAPI_ECONFLICT, "cname_conflict", "type",
                                  "%s already has %s records; a CNAME must be alone at its "
                                  "name: delete them first, or use another name.",
                                  rr->name, other->type);
        }
        if (type_is(other->type, "CNAME")) {
            return dnsapi_err_set(err, DNSAPI_ECONFLICT, "cname_conflict", "type",
                                  "%s is a CNAME (to %s), so it can hold no other records: "
                                  "delete the CNAME first, or use another name.",
                                  rr->name, other->content);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const dns_rr_t *other = &at_name[i];
        if (type_is(other->type, rr->type) && other->ttl != rr->ttl) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "ttl_mismatch", "ttl",
                                  "The other %s records at %s have TTL %u; all records of one "
                                  "name and type share a TTL: use ttl %u, or change them all "
                                  "together in a batch.",
                                  rr->type, rr->name, other->ttl, other->ttl);
        }
    }
    return DNSAPI_OK;
}

/* An in-zone name server may not be an alias, whichever record comes
 * second. */
int dns_rules_check_ns_target(const char *zone, const dns_rr_t *rr, const dns_rr_t *at_target,
                              size_t n, dnsapi_err_t *err)
{
    char target[DNS_NAME_BUFSIZE];

    if (type_is(rr->type, "NS")) {
        if (!dns_rdata_target("NS", rr->content, target, sizeof(target)) ||
            !dns_name_is_at_or_below(target, zone)) {
            return DNSAPI_OK;
        }
        for (size_t i = 0; i < n; i++) {
            if (type_is(at_target[i].type, "CNAME")) {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "ns_target_is_cname", "content",
                                      "The name server %s is a CNAME (to %s); an NS record "
                                      "must name a host with A/AAAA records: point it at the "
                                      "canonical name instead.",
                                      target, at_target[i].content);
            }
        }
        return DNSAPI_OK;
    }
    if (type_is(rr->type, "CNAME")) {
        for (size_t i = 0; i < n; i++) {
            if (type_is(at_target[i].type, "NS") &&
                dns_rdata_target("NS", at_target[i].content, target, sizeof(target)) &&
                name_equal(target, rr->name)) {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "ns_target_is_cname", "type",
                                      "%s is the name server of the NS record at %s, so it "
                                      "cannot be a CNAME: give it A/AAAA records instead.",
                                      rr->name, at_target[i].name);
            }
        }
    }
    return DNSAPI_OK;
}

static size_t warning_add(dns_warning_t *out, size_t count, size_t max, const char *code,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static size_t warning_add(dns_warning_t *out, size_t count, size_t max, const char *code,
                          const char *fmt, ...)
{
    if (count >= max) {
        return count;
    }
    va_list ap;
    snprintf(out[count].code, sizeof(out[count].code), "%s", code);
    va_start(ap, fmt);
    vsnprintf(out[count].message, sizeof(out[count].message), fmt, ap);
    va_end(ap);
    return count + 1;
}

/* missing_glue, single_ns and occluded, in that order. */
size_t dns_rules_warnings(const char *zone, const dns_rr_t *rr, const dns_rr_t *at_target,
                          size_t n_target, size_t ns_count, const char *delegation,
                          dns_warning_t *out, size_t max)
{
    size_t count = 0;
    char target[DNS_NAME_BUFSIZE];
    bool is_delegation = type_is(rr->type, "NS") && !name_equal(rr->name, zone);

    if (is_delegation && dns_rdata_target("NS", rr->content, target, sizeof(target)) &&
        dns_name_is_at_or_below(target, rr->name)) {
        bool has_glue = false;
        for (size_t i = 0; i < n_target; i++) {
            if (type_is(at_target[i].type, "A") || type_is(at_target[i].type, "AAAA")) {
                has_glue = true;
            }
        }
        if (!has_glue) {
            count = warning_add(out, count, max, "missing_glue",
                                "The name server %s lies inside the delegated name %s but has "
                                "no A/AAAA (glue) records: add them, or resolvers cannot reach "
                                "it.",
                                target, rr->name);
        }
    }
    if (is_delegation && ns_count == 1) {
        count = warning_add(out, count, max, "single_ns",
                            "%s is delegated to a single name server; add a second one for "
                            "redundancy.",
                            rr->name);
    }
    bool is_glue = type_is(rr->type, "A") || type_is(rr->type, "AAAA");
    if (delegation != NULL && !is_glue) {
        count = warning_add(out, count, max, "occluded",
                            "%s lies below the delegation point %s, so this record is hidden "
                            "by the delegation and will not be served (only glue A/AAAA "
                            "records are).",
                            rr->name, delegation);
    }
    return count;
}
