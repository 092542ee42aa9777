/*
 * render.h - one zone from the database to master-file text.
 *
 * The records come from storage's ordered stream (SOA, apex NS, then DNS
 * order) and go through dns_render_header/dns_render_record one at a time,
 * so memory does not depend on the size of the zone.
 */
#ifndef DNSAPI_ZONEGEN_RENDER_H
#define DNSAPI_ZONEGEN_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libpq-fe.h>

/* Writes the master file of the zone zone_id (absolute name zone_name) to
 * fp. On success sets *serial_out to the serial of the rendered SOA and
 * *count_out (may be NULL) to the number of records written. Returns
 * DNSAPI_OK; DNSAPI_EINVAL when the zone cannot be rendered (no SOA first,
 * a record the renderer refuses: errbuf names it); DNSAPI_EDB; DNSAPI_EIO.
 * On failure fp holds a partial file that must be thrown away. */
int zonegen_zone_render(PGconn *c, const char *zone_id, const char *zone_name, FILE *fp,
                        uint32_t *serial_out, size_t *count_out, char *errbuf, size_t errlen);

#endif
