/*
 * message.c - reading any DNS message's frame and building answers (see
 * message.h).
 */
#include "dns/message.h"

#include <stdio.h>
#include <string.h>

#define EDE_OPTION 15

static int formerr(dnsapi_err_t *err, const char *what)
{
    return dnsapi_err_set(err, DNSAPI_EBADREQ, "formerr", NULL, "%s", what);
}

/* Checks an OPT record's options: each is code, length and that many
 * octets, filling the rdata exactly. */
static bool opt_options_ok(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (n - i < 4) {
            return false;
        }
        size_t l = dns_wire_get_u16(p + i + 2);
        if (n - i - 4 < l) {
            return false;
        }
        i += 4 + l;
    }
    return true;
}

static int additional_parse(const uint8_t *msg, size_t len, size_t *pos, dns_msg_info_t *info,
                            dnsapi_err_t *err)
{
    for (unsigned i = 0; i < info->count[3]; i++) {
        size_t owner_at, rdata_at;
        uint16_t type, rrclass, rdlen;
        uint32_t ttl;
        if (dns_wire_rr_skip(msg, len, pos, &owner_at, &type, &rrclass, &ttl, &rdata_at, &rdlen) !=
            DNSAPI_OK) {
            return formerr(err, "A record in the additional section runs past the end of the "
                                "message.");
        }
        if (type == DNS_TYPE_OPT) {
            if (info->has_opt) {
                return formerr(err, "The message has more than one OPT record.");
            }
            if (msg[owner_at] != 0) {
                return formerr(err, "The OPT record's owner is not the root.");
            }
            if (!opt_options_ok(msg + rdata_at, rdlen)) {
                return formerr(err, "The OPT record's options are malformed.");
            }
            info->has_opt = true;
            info->udp_size = rrclass < 512 ? 512 : rrclass;
            info->edns_version = (uint8_t)(ttl >> 16);
        } else if (type == DNS_TYPE_TSIG) {
            if (i + 1 != info->count[3]) {
                return formerr(err, "The TSIG record is not the last record of the message.");
            }
            if (rrclass != DNS_CLASS_ANY || ttl != 0) {
                return formerr(err, "The TSIG record must have class ANY and TTL 0.");
            }
            info->has_tsig = true;
            info->tsig_at = owner_at;
        }
    }
    return DNSAPI_OK;
}

int dns_msg_info_parse(const uint8_t *msg, size_t len, dns_msg_info_t *info, dnsapi_err_t *err)
{
    dns_wire_header_t h;
    size_t pos = DNS_WIRE_HEADER;

    memset(info, 0, sizeof(*info));
    if (!dns_wire_header_read(msg, len, &h)) {
        info->drop = true;
        return formerr(err, "The message is shorter than a DNS header.");
    }
    info->id = h.id;
    info->flags = h.flags;
    memcpy(info->count, h.count, sizeof(info->count));
    if (h.flags & DNS_FLAG_QR) {
        info->drop = true;
        return formerr(err, "The message is a response.");
    }
    for (unsigned i = 0; i < h.count[0]; i++) {
        uint8_t name[DNS_WIRE_NAME_MAX];
        size_t n;
        if (dns_wire_name_read(msg, len, &pos, true, name, &n) != DNSAPI_OK || len - pos < 4) {
            return formerr(err, "The question (zone) section runs past the end of the message.");
        }
        if (i == 0) {
            memcpy(info->qname, name, n);
            info->qname_len = n;
            info->qtype = dns_wire_get_u16(msg + pos);
            info->qclass = dns_wire_get_u16(msg + pos + 2);
            info->has_question = true;
        }
        pos += 4;
    }
    for (int s = 1; s <= 2; s++) {
        for (unsigned i = 0; i < h.count[s]; i++) {
            uint16_t type;
            if (dns_wire_rr_skip(msg, len, &pos, NULL, &type, NULL, NULL, NULL, NULL) !=
                DNSAPI_OK) {
                return formerr(err, s == 1 ? "The answer (prerequisite) section runs past the "
                                             "end of the message."
                                           : "The authority (update) section runs past the end "
                                             "of the message.");
            }
            if (type == DNS_TYPE_OPT || type == DNS_TYPE_TSIG) {
                return formerr(err, "An OPT or TSIG record is outside the additional section.");
            }
        }
    }
    int rc = additional_parse(msg, len, &pos, info, err);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    if (pos != len) {
        return formerr(err, "The message has octets after its last record.");
    }
    return DNSAPI_OK;
}

bool dns_msg_badvers(const dns_msg_info_t *req)
{
    return req->has_opt && req->edns_version != 0;
}

bool dns_query_apex_name(const dns_msg_info_t *info, char *name, size_t namelen)
{
    if (info->drop || DNS_FLAGS_OPCODE(info->flags) != DNS_OPCODE_QUERY || info->count[0] != 1 ||
        !info->has_question || info->qclass != DNS_CLASS_IN ||
        (info->qtype != DNS_TYPE_SOA && info->qtype != DNS_TYPE_NS)) {
        return false;
    }
    dns_wire_name_to_text(info->qname, info->qname_len, name, namelen);
    return true;
}

size_t dns_reply_udp_limit(const dns_msg_info_t *req)
{
    if (!req->has_opt) {
        return 512;
    }
    return req->udp_size > DNS_EDNS_UDP_SIZE ? DNS_EDNS_UDP_SIZE : req->udp_size;
}

/* Appends one answer record; false when it cannot be encoded. */
static bool answer_put(dns_wire_writer_t *w, const dns_record_t *rr)
{
    uint8_t owner[DNS_WIRE_NAME_MAX];
    size_t n;
    uint16_t type = dns_wire_type_from_text(rr->type);
    if (dns_wire_name_from_text(rr->name, owner, &n) != DNSAPI_OK ||
        (type != DNS_TYPE_SOA && type != DNS_TYPE_NS)) {
        return false;
    }
    dns_wire_put_bytes(w, owner, n);
    dns_wire_put_u16(w, type);
    dns_wire_put_u16(w, DNS_CLASS_IN);
    dns_wire_put_u32(w, rr->ttl);
    return dns_rdata_to_wire(type, rr->content, w) == DNSAPI_OK;
}

static void opt_put(dns_wire_writer_t *w, uint16_t rcode, uint16_t ede_code, const char *text,
                    size_t text_len, bool with_ede)
{
    dns_wire_put_u8(w, 0); /* root */
    dns_wire_put_u16(w, DNS_TYPE_OPT);
    dns_wire_put_u16(w, DNS_EDNS_UDP_SIZE);
    dns_wire_put_u32(w, (uint32_t)(rcode >> 4) << 24); /* extended rcode, version 0, no flags */
    if (!with_ede) {
        dns_wire_put_u16(w, 0);
        return;
    }
    dns_wire_put_u16(w, (uint16_t)(4 + 2 + text_len));
    dns_wire_put_u16(w, EDE_OPTION);
    dns_wire_put_u16(w, (uint16_t)(2 + text_len));
    dns_wire_put_u16(w, ede_code);
    dns_wire_put_bytes(w, text, text_len);
}

/* EXTRA-TEXT is UTF-8 (RFC 8914 2): cutting at a byte count must not split
 * a character. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) {
        return n;
    }
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80) {
        max--;
    }
    return max;
}

int dns_reply_build(const dns_msg_info_t *req, const dns_reply_t *r, uint8_t *buf, size_t cap,
                    size_t max_size, size_t *len)
{
    dns_wire_writer_t w;
    uint16_t rcode = r->rcode;
    size_t n_answer = r->n_answer;

    if (rcode > 15 && !req->has_opt) {
        return DNSAPI_EINVAL;
    }
    if (max_size > cap) {
        max_size = cap;
    }
    dns_wire_writer_init(&w, buf, max_size);
    uint16_t flags = (uint16_t)(DNS_FLAG_QR | (req->flags & 0x7800u) | (req->flags & DNS_FLAG_RD) |
                                (r->authoritative ? DNS_FLAG_AA : 0) | (rcode & 0xfu));
    dns_wire_put_u16(&w, req->id);
    dns_wire_put_u16(&w, flags);
    dns_wire_put_u16(&w, req->has_question ? 1 : 0);
    dns_wire_put_u16(&w, 0); /* answers: patched below */
    dns_wire_put_u16(&w, 0);
    dns_wire_put_u16(&w, req->has_opt ? 1 : 0);
    if (req->has_question) {
        dns_wire_put_bytes(&w, req->qname, req->qname_len);
        dns_wire_put_u16(&w, req->qtype);
        dns_wire_put_u16(&w, req->qclass);
    }
    if (w.overflow) {
        return DNSAPI_EINVAL;
    }

    const char *text = r->ede_text;
    size_t text_len = text != NULL ? utf8_cut(text, DNS_EDE_TEXT_MAX) : 0;
    size_t opt_size = req->has_opt ? 11 + (text != NULL ? 6 + text_len : 0) : 0;
    if (opt_size > max_size - w.len) {
        text_len = 0; /* keep the OPT, drop the text */
        opt_size = 11 + (text != NULL ? 6 : 0);
        if (opt_size > max_size - w.len) {
            return DNSAPI_EINVAL;
        }
    }

    uint16_t written = 0;
    for (size_t i = 0; i < n_answer; i++) {
        size_t before = w.len;
        dns_wire_writer_t probe = w;
        probe.cap = max_size - opt_size;
        bool ok = answer_put(&probe, &r->answer[i]);
        if (!ok || probe.overflow) {
            if (!probe.overflow) {
                return DNSAPI_EINVAL;
            }
            w.len = before;
            flags |= DNS_FLAG_TC;
            dns_wire_patch_u16(&w, 2, flags);
            break;
        }
        w.len = probe.len;
        written++;
    }
    dns_wire_patch_u16(&w, 6, written);
    /* the authority section (a NODATA answer's SOA): left out when it
     * does not fit after the answers */
    uint16_t in_authority = 0;
    for (size_t i = 0; !(flags & DNS_FLAG_TC) && i < r->n_authority; i++) {
        dns_wire_writer_t probe = w;
        probe.cap = max_size - opt_size;
        if (!answer_put(&probe, &r->authority[i]) || probe.overflow) {
            if (!probe.overflow) {
                return DNSAPI_EINVAL;
            }
            break;
        }
        w.len = probe.len;
        in_authority++;
    }
    dns_wire_patch_u16(&w, 8, in_authority);
    if (req->has_opt) {
        opt_put(&w, rcode, r->ede_code, text != NULL ? text : "", text_len, text != NULL);
    }
    if (w.overflow) {
        return DNSAPI_EINVAL;
    }
    *len = w.len;
    return DNSAPI_OK;
}

void dns_reply_ede_text(const dnsapi_err_t *err, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s: %s", err->code[0] != '\0' ? err->code : "error", err->message);
}

const char *dns_rcode_name(uint16_t rcode)
{
    static const char *const names[DNS_RCODES] = {
        "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",  "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
        "NXRRSET", "NOTAUTH", "NOTZONE",  "DSOTYPENI", "RCODE12", "RCODE13", "RCODE14",  "RCODE15",
        "BADVERS", "RCODE17", "RCODE18",  "RCODE19",   "RCODE20", "RCODE21", "RCODE22",  "RCODE23"};
    return rcode < DNS_RCODES ? names[rcode] : "RCODE";
}
