/*
 * server.h - the HTTP server: one libh2o event loop per thread, each with
 * its own SO_REUSEPORT listener and its own PostgreSQL pool; SIGTERM/SIGINT
 * stop accepting, let in-flight requests finish (bounded), then return.
 */
#ifndef DNSAPI_API_SERVER_H
#define DNSAPI_API_SERVER_H

#include "common/config.h"

/* Runs the server until SIGTERM or SIGINT. Returns 0, or -1 after printing
 * one line to stderr when it cannot start. */
int api_server_run(const dnsapi_config_t *cfg);

#endif
