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
    "CASE WHEN " a ".type = 'SOA' THEN dnsapi_soa_content(" a ".content,"                          \
    " (SELECT zs.serial FROM zones zs WHERE zs.id = " a ".zone_id)) ELSE " a ".content END"

/* ... and its last change: the SOA changes whenever its zone's serial does. */
#define DB_RECORD_UPDATED_AT(a)                                                                    \
    "CASE WHEN " a ".type = 'SOA' THEN (SELECT zs.updated_at FROM zones zs WHERE zs.id = " a       \
    ".zone_id) ELSE " a ".updated_at END"

typedef struct {
    const char *name;
    const char *sql;
    /* When non-zero, the statement is prepared with this many parameters
     * all typed text, so that a variant may leave some of them unused. */
    int ntext;
} db_statement_t;

extern const db_statement_t db_statements[];
extern const size_t db_statements_count;

/* Shapes of a record page: which filters a list has, and whether it
 * continues after a keyset cursor. */
enum {
    DB_PAGE_NAME = 1,
    DB_PAGE_TYPE = 2,
    DB_PAGE_CONTENT = 4,
    DB_PAGE_AFTER = 8,
    DB_PAGE_SHAPES = 16,
};

/* The statement name of the record page of a shape (DB_PAGE_* bits). Its
 * parameters: $1 token id, $2 account id, $3 zone name or NULL, $4 zone id
 * or NULL, $5 name, $6 type, $7 content, $8 limit, $9 offset, $10..$13 the
 * cursor (sort key, type, stored content, id); unused ones may be NULL.
 * Columns: RECORD_COLS (0..13), 14 the zone's name, 15 the total. No row:
 * no such zone; one row whose id is NULL: the zone, and no record on the
 * page. Fails with DA002 when the token no longer stands. */
const char *db_record_page_stmt(unsigned shape);

#endif
