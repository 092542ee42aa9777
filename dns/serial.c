/*
 * serial.c - RFC 1982 serial number arithmetic for SOA serials.
 *
 * Serials live on a circle of 2^32 values: adding wraps, and "a follows b"
 * when a is less than half the circle ahead of b. Unsigned arithmetic does
 * the wrapping for us.
 */
#include "dns/dns.h"

#define SERIAL_HALF 0x80000000u

/* serial + n on the 2^32 circle. */
uint32_t dns_serial_add(uint32_t serial, uint32_t n)
{
    /* RFC 1982 defines addition only for n < 2^31; larger steps would make
     * the new serial precede the old one, so clamp them. */
    if (n >= SERIAL_HALF) {
        n = SERIAL_HALF - 1;
    }
    return serial + n;
}

/* The sign of the shorter way round from b to a. */
int dns_serial_compare(uint32_t a, uint32_t b)
{
    uint32_t distance = a - b;

    if (distance == 0) {
        return 0;
    }
    if (distance < SERIAL_HALF) {
        return 1;
    }
    if (distance > SERIAL_HALF) {
        return -1;
    }
    /* Exactly half the circle apart: undefined in RFC 1982; decide by value
     * so that the answer is at least antisymmetric. */
    return a > b ? 1 : -1;
}
