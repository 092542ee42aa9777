/*
 * dns_handler.h - one DNS message to the listener of `dnsapi serve`
 * (DNSAPI_UPDATE_LISTEN), answered asynchronously on the loop:
 *
 *   frame (dns_msg_info_parse)          malformed: FORMERR; a response: dropped
 *   TSIG: the key looked up by name (storage/store_tsig.h), its secret
 *         opened (common/seal.h), the request verified (dns/tsig.h)
 *   EDNS version other than 0           BADVERS
 *   QUERY for the SOA or NS of a zone's apex: answered from the store;
 *         SOA of a name inside a zone: NODATA with the zone's SOA;
 *         any other query REFUSED
 *   UPDATE (signed only; the key needs records:write):
 *         dns_update_parse, then the write path of the HTTP API (api/write.h)
 *         with the key as the credential: the records at the update's names
 *         loaded in the zone's transaction, the prerequisites and the
 *         update section evaluated against them (dns/update.h), the result
 *         as deletes, TTL patches and posts of one change - the policies,
 *         the rules, one transaction, one serial step, the audit trail
 *         naming the key
 *   anything else                        NOTIMP
 *   the answer signed when the request was (dns_tsig_sign_answer)
 *
 * Refusals carry an Extended DNS Error (RFC 8914) whose text names the
 * rule: "cname_conflict: ...".
 */
#ifndef DNSAPI_API_DNS_HANDLER_H
#define DNSAPI_API_DNS_HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api.h"
#include "dns/tsig.h"

/* Called once per message with the answer (len 0: send nothing). answer
 * is valid only during the call. */
typedef void (*dns_answer_cb)(void *ctx, const uint8_t *answer, size_t len);

/* Answers msg[0..len) (copied) received over TCP or UDP, on t's loop. cb
 * may run before dns_handle returns. replay is the listener's cache. */
void dns_handle(api_thread_t *t, dns_tsig_replay_t *replay, const uint8_t *msg, size_t len,
                bool tcp, dns_answer_cb cb, void *ctx);

#endif
