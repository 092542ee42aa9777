#include "zonegen/probe.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "common/error.h"
#include "dns/dns.h"
#include "zonegen/reply.h"

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int zonegen_probe_udp_connect(const dnsapi_hostport_t *server, char *errbuf, size_t errlen)
{
    char port[8];
    snprintf(port, sizeof(port), "%u", (unsigned)server->port);
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    int rc = getaddrinfo(server->host, port, &hints, &ai);
    if (rc != 0) {
        snprintf(errbuf, errlen, "%s: %s", server->host, gai_strerror(rc));
        return -1;
    }
    int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        snprintf(errbuf, errlen, "%s:%s: %s", server->host, port, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);
    return fd;
}

/*
 * Sends query (an SOA query or a NOTIFY for zone) and waits for its
 * answer, resending up to tries times within timeout_ms; what the answer
 * says goes to *reply. Datagrams that are not the answer (zonegen_reply_read)
 * are ignored.
 */
static int udp_exchange(const dnsapi_hostport_t *server, const ldns_pkt *query, const char *zone,
                        int timeout_ms, int tries, zonegen_reply_t *reply, char *errbuf,
                        size_t errlen)
{
    uint8_t *wire = NULL;
    size_t wire_len = 0;
    if (ldns_pkt2wire(&wire, query, &wire_len) != LDNS_STATUS_OK) {
        snprintf(errbuf, errlen, "cannot build the DNS message");
        return DNSAPI_EINTERNAL;
    }
    int fd = zonegen_probe_udp_connect(server, errbuf, errlen);
    if (fd < 0) {
        free(wire);
        return DNSAPI_EIO;
    }
    int rc = DNSAPI_ETIMEOUT;
    snprintf(errbuf, errlen, "%s:%u: no answer within %d ms", server->host, (unsigned)server->port,
             timeout_ms);
    long long deadline = now_ms() + timeout_ms;
    for (int attempt = 0; attempt < tries && rc == DNSAPI_ETIMEOUT; attempt++) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            break;
        }
        if (send(fd, wire, wire_len, 0) < 0) {
            /* ECONNREFUSED from an earlier ICMP error: nobody listens. */
            snprintf(errbuf, errlen, "%s:%u: %s", server->host, (unsigned)server->port,
                     strerror(errno));
            rc = DNSAPI_EIO;
            break;
        }
        long long attempt_end = now_ms() + left / (tries - attempt);
        while (rc == DNSAPI_ETIMEOUT) {
            long long wait = attempt_end - now_ms();
            if (wait <= 0) {
                break;
            }
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            int pr = poll(&pfd, 1, (int)wait);
            if (pr < 0 && errno == EINTR) {
                continue;
            }
            if (pr <= 0) {
                break;
            }
            uint8_t buf[4096];
            ssize_t n = recv(fd, buf, sizeof(buf), 0);
            if (n < 0) {
                snprintf(errbuf, errlen, "%s:%u: %s", server->host, (unsigned)server->port,
                         strerror(errno));
                rc = DNSAPI_EIO;
                break;
            }
            if (zonegen_reply_read(buf, (size_t)n, ldns_pkt_id(query),
                                   (int)ldns_pkt_get_opcode(query), zone,
                                   reply) == ZONEGEN_REPLY_ANSWER) {
                rc = DNSAPI_OK;
            }
        }
    }
    close(fd);
    free(wire);
    return rc;
}

ldns_pkt *zonegen_probe_soa_packet_new(const char *zone, uint16_t flags)
{
    ldns_rdf *qname = ldns_dname_new_frm_str(zone);
    if (qname == NULL) {
        return NULL;
    }
    ldns_pkt *pkt = ldns_pkt_query_new(qname, LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, flags);
    if (pkt == NULL) {
        ldns_rdf_deep_free(qname);
        return NULL;
    }
    ldns_pkt_set_random_id(pkt);
    return pkt;
}

int zonegen_probe_tsig_sign(ldns_pkt *pkt, const dnsapi_tsig_key_t *key)
{
    char keyname[300];
    snprintf(keyname, sizeof(keyname), "%s.", key->name);
    return ldns_pkt_tsig_sign(pkt, keyname, key->secret, 300, "hmac-sha256.", NULL) ==
                   LDNS_STATUS_OK
               ? 0
               : -1;
}

int zonegen_notify_send(const dnsapi_hostport_t *server, const char *zone, int timeout_ms,
                        char *errbuf, size_t errlen)
{
    return zonegen_notify_send_signed(server, zone, NULL, timeout_ms, errbuf, errlen);
}

int zonegen_notify_send_signed(const dnsapi_hostport_t *server, const char *zone,
                               const dnsapi_tsig_key_t *key, int timeout_ms, char *errbuf,
                               size_t errlen)
{
    ldns_pkt *pkt = zonegen_probe_soa_packet_new(zone, LDNS_AA);
    if (pkt == NULL) {
        snprintf(errbuf, errlen, "cannot build a NOTIFY for %s", zone);
        return DNSAPI_EINTERNAL;
    }
    ldns_pkt_set_opcode(pkt, LDNS_PACKET_NOTIFY);
    if (key != NULL && zonegen_probe_tsig_sign(pkt, key) != 0) {
        ldns_pkt_free(pkt);
        snprintf(errbuf, errlen, "cannot sign the NOTIFY for %s with key %s", zone, key->name);
        return DNSAPI_EINTERNAL;
    }
    zonegen_reply_t reply;
    int rc = udp_exchange(server, pkt, zone, timeout_ms, 3, &reply, errbuf, errlen);
    if (rc == DNSAPI_OK && reply.rcode != LDNS_RCODE_NOERROR) {
        char *rcode = ldns_pkt_rcode2str((ldns_pkt_rcode)reply.rcode);
        snprintf(errbuf, errlen, "%s:%u answered the NOTIFY for %s with %s", server->host,
                 (unsigned)server->port, zone, rcode != NULL ? rcode : "an error");
        free(rcode);
        rc = DNSAPI_EIO;
    }
    ldns_pkt_free(pkt);
    return rc;
}

int zonegen_soa_query(const dnsapi_hostport_t *server, const char *zone, int timeout_ms,
                      uint32_t *serial_out, char *errbuf, size_t errlen)
{
    ldns_pkt *pkt = zonegen_probe_soa_packet_new(zone, 0);
    if (pkt == NULL) {
        snprintf(errbuf, errlen, "cannot build an SOA query for %s", zone);
        return DNSAPI_EINTERNAL;
    }
    zonegen_reply_t reply;
    int rc = udp_exchange(server, pkt, zone, timeout_ms, 2, &reply, errbuf, errlen);
    if (rc == DNSAPI_OK) {
        if (reply.rcode != LDNS_RCODE_NOERROR) {
            char *rcode = ldns_pkt_rcode2str((ldns_pkt_rcode)reply.rcode);
            snprintf(errbuf, errlen, "%s:%u answers %s for the SOA of %s", server->host,
                     (unsigned)server->port, rcode != NULL ? rcode : "an error", zone);
            free(rcode);
            rc = DNSAPI_EIO;
        } else if (!reply.has_serial) {
            snprintf(errbuf, errlen, "%s:%u is not authoritative for %s", server->host,
                     (unsigned)server->port, zone);
            rc = DNSAPI_EIO;
        } else {
            *serial_out = reply.serial;
        }
    }
    ldns_pkt_free(pkt);
    return rc;
}
