/*
 * statements.h - every SQL statement the API runs, prepared on each new
 * connection of a pool. Only storage/ speaks SQL: the API names statements
 * by the constants below and passes text parameters.
 */
#ifndef DNSAPI_STORAGE_STATEMENTS_H
#define DNSAPI_STORAGE_STATEMENTS_H

#include <stddef.h>

/* A record's content as readers see it, for the records alias a: the SOA
 * shows its zone's current serial (the serial field stored in the SOA row
 * is the one the zone was created with; see migrations/0002). */
#define DB_RECORD_CONTENT(a)                                                                       \
    "CASE WHEN " a ".type = 'SOA' THEN dnsapi_soa_content(" a ".content,"                           \
    " (SELECT zs.serial FROM zones zs WHERE zs.id = " a ".zone_id)) ELSE " a ".content END"

typedef struct {
    const char *name;
    const char *sql;
} db_statement_t;

extern const db_statement_t db_statements[];
extern const size_t db_statements_count;

#endif
