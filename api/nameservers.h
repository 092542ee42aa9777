/*
 * nameservers.h - a change of a zone's name servers (its apex NS set) on
 * the one write path (api/write.h), for every way in: PUT
 * /v1/zones/{zone}/nameservers and `dnsapi zone set-nameservers`.
 *
 * The hooks set here load the apex, turn the names into the change
 * (dns_change_nameservers: the stored apex NS set out, the new one in) and
 * leave the rest to the rules and the engine: at least two host names, no
 * CNAME, glue for names inside the zone, one serial step, the audit trail,
 * the SOA's MNAME following the first name.
 */
#ifndef DNSAPI_API_NAMESERVERS_H
#define DNSAPI_API_NAMESERVERS_H

#include "api/write.h"

/* Sets w up to make names[0..n) (copied) the zone's name servers. The
 * caller sets build (records to add in the same change, such as glue, or
 * nothing: it may return DNSAPI_OK at once) and answer, then starts w.
 * Frees what it keeps with w. */
void api_nameservers_setup(api_write_t *w, const char *const *names, size_t n);

/* The names as the change made them (normalized, in order), for answers. */
json_t *api_nameservers_json(const api_write_t *w);

#endif
