/*
 * members.h - the zones this zonegen has a master file for: what the
 * includes list, what the catalog holds, what the primary was told about.
 * Kept sorted bytewise by name; changes come in batches (a sweep's new
 * zones, a round of deletions), merged in one pass, so that a batch costs
 * the size of the set once, not once per zone.
 */
#ifndef DNSAPI_ZONEGEN_MEMBERS_H
#define DNSAPI_ZONEGEN_MEMBERS_H

#include <stddef.h>

typedef struct {
    char *name;  /* absolute; heap */
    char id[40]; /* the zone's uuid; "" until the database named it */
    int gone;    /* marked for zonegen_members_compact */
} zonegen_member_t;

typedef struct {
    zonegen_member_t *v;
    size_t n, cap;
    size_t sorted; /* v[0..sorted) is in order; the rest was appended */
} zonegen_members_t;

void zonegen_members_init(zonegen_members_t *m);
void zonegen_members_clear(zonegen_members_t *m);

/* The member called name, or NULL. Only sees the sorted part. */
zonegen_member_t *zonegen_members_find(const zonegen_members_t *m, const char *name);

/* Appends name (copied) with id (may be ""); call zonegen_members_merge
 * before the next find. Returns 0 or -1 on no memory. */
int zonegen_members_append(zonegen_members_t *m, const char *name, const char *id);

/* Sorts what was appended and merges it in; a name appended twice (or
 * already there) is kept once, with the newest id. Returns 0 or -1. */
int zonegen_members_merge(zonegen_members_t *m);

/* Removes every member marked gone. */
void zonegen_members_compact(zonegen_members_t *m);

/* A heap array of the names (borrowed pointers) for the includes; NULL
 * on no memory. Free the array only. */
char **zonegen_members_names(const zonegen_members_t *m);

#endif
