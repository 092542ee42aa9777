/*
 * migrate.h - the schema migrations runner.
 *
 * Migrations are the files migrations/NNNN_description.sql, embedded into
 * the binary at build time. Each is applied once, in order, in its own
 * transaction, under a session advisory lock so that two runners never
 * interleave; applied files are recorded in schema_migrations.
 */
#ifndef DNSAPI_STORAGE_MIGRATE_H
#define DNSAPI_STORAGE_MIGRATE_H

#include <stdio.h>

#include <libpq-fe.h>

typedef struct {
    const char *name; /* "0001_initial.sql"; NULL ends a list */
    const char *sql;
} db_migration_t;

/* The migrations built into the binary, ended by {NULL, NULL}. */
extern const db_migration_t db_migrations_embedded[];

/* Reads NNNN_*.sql files from dir into a heap list ended by {NULL, NULL};
 * free it with db_migrations_free. Returns NULL with errbuf filled. */
db_migration_t *db_migrations_load_dir(const char *dir, char *errbuf, size_t errlen);
void db_migrations_free(db_migration_t *list);

/* Applies pending migrations of list (NULL = embedded) over conn, printing
 * one line per applied file to log (may be NULL). Returns the number applied
 * (0 when current) or -1 with errbuf filled; a failing file is rolled back
 * whole and nothing after it is tried. */
int db_migrate_apply(PGconn *conn, const db_migration_t *list, FILE *log, char *errbuf,
                     size_t errlen);

/* Checks that every migration of list (NULL = embedded) has been applied.
 * Returns 0 when current, 1 when some are pending (errbuf says which), -1 on
 * a database error. */
int db_migrate_check(PGconn *conn, const db_migration_t *list, char *errbuf, size_t errlen);

/* Makes role the current user of conn (SET ROLE), for a login that is a
 * member of the owner role: `dnsapi migrate` and `dnsapi db grant` with
 * DNSAPI_DB_OWNER. Returns 0 or -1 with errbuf filled. */
int db_role_set(PGconn *conn, const char *role, char *errbuf, size_t errlen);

/* Grants role the rights of kind ("serve" or "zonegen") through
 * dnsapi_grant_role (migrations/0035_least_privilege.sql), as the owner:
 * exactly what `dnsapi serve` or `dnsapi zonegen` uses and nothing that
 * could get around the guard on system records. Refuses (-1, errbuf says
 * why and what to do) roles that are superusers, own something or could
 * still create temporary tables or schema objects. Returns 0 when granted. */
int db_grant_role(PGconn *conn, const char *role, const char *kind, char *errbuf, size_t errlen);

/* Connects synchronously (for the command-line tools); NULL with errbuf
 * filled on failure. */
PGconn *db_connect_sync(const char *conninfo, char *errbuf, size_t errlen);

#endif
