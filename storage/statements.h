/*
 * statements.h - every SQL statement the API runs, prepared on each new
 * connection of a pool. Only storage/ speaks SQL: the API names statements
 * by the constants below and passes text parameters.
 */
#ifndef DNSAPI_STORAGE_STATEMENTS_H
#define DNSAPI_STORAGE_STATEMENTS_H

#include <stddef.h>

typedef struct {
    const char *name;
    const char *sql;
} db_statement_t;

extern const db_statement_t db_statements[];
extern const size_t db_statements_count;

#endif
