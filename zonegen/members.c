#include "zonegen/members.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void zonegen_members_init(zonegen_members_t *m)
{
    memset(m, 0, sizeof(*m));
}

void zonegen_members_clear(zonegen_members_t *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].name);
    }
    free(m->v);
    memset(m, 0, sizeof(*m));
}

zonegen_member_t *zonegen_members_find(const zonegen_members_t *m, const char *name)
{
    size_t lo = 0, hi = m->sorted;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(m->v[mid].name, name);
        if (cmp == 0) {
            return &m->v[mid];
        }
        if (cmp < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

int zonegen_members_append(zonegen_members_t *m, const char *name, const char *id)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        zonegen_member_t *grown = realloc(m->v, cap * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        m->v = grown;
        m->cap = cap;
    }
    char *copy = strdup(name);
    if (copy == NULL) {
        return -1;
    }
    zonegen_member_t *e = &m->v[m->n++];
    memset(e, 0, sizeof(*e));
    e->name = copy;
    snprintf(e->id, sizeof(e->id), "%s", id != NULL ? id : "");
    return 0;
}

static int member_cmp(const void *a, const void *b)
{
    return strcmp(((const zonegen_member_t *)a)->name, ((const zonegen_member_t *)b)->name);
}

/*
 * The appended tail is sorted on its own (k log k) and merged with the
 * sorted head in one pass (n + k): a batch of new zones costs the size of
 * the set once. Duplicates keep the later entry's id, since the tail is
 * what the database said last.
 */
int zonegen_members_merge(zonegen_members_t *m)
{
    if (m->sorted == m->n) {
        return 0;
    }
    size_t k = m->n - m->sorted;
    zonegen_member_t *tail = m->v + m->sorted;
    qsort(tail, k, sizeof(*tail), member_cmp);
    zonegen_member_t *out = malloc((m->n + 1) * sizeof(*out));
    if (out == NULL) {
        return -1;
    }
    size_t i = 0, j = 0, o = 0;
    while (i < m->sorted || j < k) {
        zonegen_member_t *pick;
        if (j == k || (i < m->sorted && strcmp(m->v[i].name, tail[j].name) < 0)) {
            pick = &m->v[i++];
        } else {
            pick = &tail[j++];
        }
        if (o > 0 && strcmp(out[o - 1].name, pick->name) == 0) {
            if (pick->id[0] != '\0') {
                memcpy(out[o - 1].id, pick->id, sizeof(pick->id));
            }
            free(pick->name);
            continue;
        }
        out[o++] = *pick;
    }
    free(m->v);
    m->v = out;
    m->n = m->sorted = o;
    m->cap = m->n + 1;
    return 0;
}

void zonegen_members_compact(zonegen_members_t *m)
{
    size_t o = 0, sorted = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (m->v[i].gone) {
            free(m->v[i].name);
            continue;
        }
        if (i < m->sorted) {
            sorted++;
        }
        m->v[o++] = m->v[i];
    }
    m->n = o;
    m->sorted = sorted;
}

char **zonegen_members_names(const zonegen_members_t *m)
{
    char **names = malloc((m->n + 1) * sizeof(*names));
    if (names == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < m->n; i++) {
        names[i] = m->v[i].name;
    }
    names[m->n] = NULL;
    return names;
}
