/*
 * changeview.h - the write path's bind-and-load loop for tests of the
 * change model (dns/change.h) without storage: bind the change to the
 * view, load what dns_change_interest still asks for, bind again, then run
 * the rules.
 */
#ifndef DNSAPI_TESTS_CHANGEVIEW_H
#define DNSAPI_TESTS_CHANGEVIEW_H

#include "dns/change.h"

/* Adds to v the stored records at the names of in (as storage would). */
typedef void (*changeview_load_fn)(void *ctx, dns_view_t *v, const dns_change_t *c,
                                   const dns_interest_t *in);

/* Binds c to v (at most three rounds, loading through load what is still
 * missing), then, when nothing failed, checks the rules with TTL bounds 60
 * to 604800. Problems go to rep. Returns how many extra loads it took. */
int changeview_settle(dns_view_t *v, dns_change_t *c, dns_report_t *rep, changeview_load_fn load,
                      void *ctx);

#endif
