/*
 * store_health.h - readiness: the database answers and holds every
 * migration this binary knows.
 */
#ifndef DNSAPI_STORAGE_STORE_HEALTH_H
#define DNSAPI_STORAGE_STORE_HEALTH_H

#include "storage/store.h"

typedef void (*store_ready_cb)(void *ctx, bool ready);

void store_health_ready(db_pool_t *db, store_ready_cb cb, void *ctx);

#endif
