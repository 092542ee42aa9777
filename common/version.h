/* version.h - the release of dnsapi, printed by `dnsapi --version`. */
#ifndef DNSAPI_COMMON_VERSION_H
#define DNSAPI_COMMON_VERSION_H

#define DNSAPI_VERSION "0.9.0"

#endif
