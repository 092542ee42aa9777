#include "storage/store_health.h"

#include <stdlib.h>

#include "storage/migrate.h"

typedef struct {
    store_ready_cb cb;
    void *ctx;
} op_t;

static void on_ready(void *data, int status, PGresult **res, size_t n)
{
    op_t *op = data;
    dnsapi_err_t err;
    bool ok = store_results_ok(status, res, n, 2, NULL, &err) && PQntuples(res[1]) == 1 &&
              PQgetvalue(res[1], 0, 0)[0] == 't';
    op->cb(op->ctx, ok);
}

void store_health_ready(db_pool_t *db, store_ready_cb cb, void *ctx)
{
    const char *latest = NULL;
    for (size_t i = 0; db_migrations_embedded[i].name != NULL; i++) {
        latest = db_migrations_embedded[i].name;
    }
    op_t *op = malloc(sizeof(*op));
    if (op == NULL) {
        abort();
    }
    op->cb = cb;
    op->ctx = ctx;
    db_stmt_t stmts[2] = {{"ping", 0, {NULL}}, {"schema_check", 1, {latest}}};
    store_run(db, stmts, 2, on_ready, op);
}
