#!/bin/sh
# dnsapi-healthcheck - exits 0 when the API on this host answers GET /readyz
# with 200 (the server runs and its database is reachable), 1 otherwise.
# The container's HEALTHCHECK and compose's healthcheck run it; it reads the
# same DNSAPI_LISTEN and DNSAPI_TLS_CERT as `dnsapi serve`.
listen=${DNSAPI_LISTEN:-127.0.0.1:8080}
port=${listen##*:}
scheme=http
[ -n "${DNSAPI_TLS_CERT:-}" ] && scheme=https
# -k: the certificate names the public host, not 127.0.0.1
exec curl -fsS -k -o /dev/null --max-time 3 "$scheme://127.0.0.1:$port/readyz"
