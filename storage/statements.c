/*
 * statements.c - the API's SQL. Parameters are text and cast in the SQL.
 * Zone-scoped statements take the account id ($1) and the zone key ($2: an
 * absolute name or an id) and resolve the zone with dnsapi_zone_id, so one
 * round trip can both find the zone and work in it; another account's zone
 * resolves to NULL and matches nothing.
 *
 * Column lists are fixed: the store modules (storage/store*.c) decode rows
 * by the positions documented beside each list; nothing outside storage/
 * sees a statement or a column.
 */
#include "storage/statements.h"

/* zone columns: 0 id, 1 name, 2 serial, 3 published_serial, 4 nameservers
 * (as a JSON array), 5 created_at, 6 updated_at, 7 record_count,
 * 8 last_error */
#define ZONE_COLS                                                                                  \
    "z.id, z.name, z.serial, z.published_serial, array_to_json(z.nameservers), "                   \
    "to_char(z.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "                 \
    "to_char(z.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "                 \
    "z.record_count, z.last_error"

/* ... and its publication, for the reads that show it: the zone's status,
 * published serial and error from the view zone_publication pb
 * (migrations/0030: what dnsapi_zone_status and its siblings answer, as
 * rows a page joins), then one row per server zonegen checks (zone_servers
 * zs, the primary side first, then by name; NULLs when none has been asked
 * yet). The store decodes the servers as typed rows and the API renders
 * them: building their JSON in SQL cost more than the rest of a page.
 * Columns: 9 status, 10 published serial, 11 error, 12 server name,
 * 13 address, 14 serial, 15 in_sync, 16 checked_at, 17 error */
#define ZONE_PUBLICATION_COLS                                                                      \
    "pb.status, pb.published_serial, pb.error, zs.name, zs.address, zs.serial, zs.in_sync, "       \
    "to_char(zs.checked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), zs.error"
#define ZONE_PUBLICATION_JOIN                                                                      \
    " JOIN zone_publication pb ON pb.zone_id = z.id"                                               \
    " LEFT JOIN zone_servers zs ON zs.zone_id = z.id"
#define ZONE_SERVERS_ORDER "zs.role, zs.name"
/* a zone just created: no server has been asked yet */
#define ZONE_NEW_PUBLICATION_COLS                                                                  \
    "'pending', NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::bigint, NULL::boolean, "   \
    "NULL::text, NULL::text"

/* clang-format off */
/* record columns: 0 id, 1 name, 2 type, 3 content (as shown), 4 ttl,
 * 5 priority, 6 disabled, 7 system, 8 comment, 9 created_at, 10 updated_at,
 * 11 sort_key, 12 content as stored (the list order and keyset cursors use
 * it), 13 managed_by (the child zone of a kept delegation, or NULL) */
#define RECORD_COLS                                                                                \
    "r.id, r.name, r.type, " DB_RECORD_CONTENT("r") " AS content, r.ttl, r.priority, r.disabled, " \
    "r.system, r.comment, "                                                                        \
    "to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at, "   \
    "to_char((" DB_RECORD_UPDATED_AT("r") ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"   \
    " AS updated_at, "                                                                             \
    "r.sort_key, r.content AS stored_content, r.managed_by"

/* clang-format on */

/* token columns: 0 id, 1 name, 2 scopes (space separated), 3 zones (JSON
 * array or NULL), 4 expires_at, 5 created_at, 6 revoked_at, 7 expires_at as
 * epoch seconds, 8 policies (JSON array or NULL) */
#define TOKEN_COLS                                                                                 \
    "t.id, t.name, array_to_string(t.scopes, ' '), array_to_json(t.zones), "                       \
    "to_char(t.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "                 \
    "to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "                 \
    "to_char(t.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "                 \
    "extract(epoch FROM t.expires_at)::bigint, t.policies"

/* TSIG key columns (store_tsig.c): 0 id, 1 name, 2 algorithm, 3 scopes, 4
 * zones (JSON), 5 expires_at, 6 created_at, 7 revoked_at, 8 expires epoch,
 * 9 policies, 10 account_id; the lookup adds 11 secret_sealed */
#define TSIG_COLS                                                                                  \
    "k.id, k.name, k.algorithm, array_to_string(k.scopes, ' '), array_to_json(k.zones), "          \
    "to_char(k.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "                 \
    "to_char(k.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "                 \
    "to_char(k.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "                 \
    "extract(epoch FROM k.expires_at)::bigint, k.policies, k.account_id"

#define ZONE_OF "(SELECT dnsapi_zone_id($1::uuid, $2))"

/* clang-format off */
/* The one-statement reads (record_page_*, record_one): $1 token, $2
 * account, $3 zone name or NULL, $4 zone id or NULL. The token's check is
 * a condition on no table, evaluated once before anything else. */
#define READ_ZONE_WHERE                                                                            \
    " WHERE z.account_id = $2::uuid AND (z.name = $3 OR z.id = $4::uuid)"                          \
    " AND dnsapi_token_gate(EXISTS (SELECT 1 FROM tokens t WHERE t.id = $1::uuid"                  \
    " AND t.revoked_at IS NULL AND t.expires_at > now()))"

/* Filters of a record page on alias a; each shape is its own statement so
 * that PostgreSQL can keep one generic plan per shape instead of planning
 * "$5 IS NULL OR ..." on every execution. */
#define PF_NAME_0(a) ""
#define PF_NAME_1(a) " AND " a ".name = $5"
#define PF_TYPE_0(a) ""
#define PF_TYPE_1(a) " AND " a ".type = $6"
#define PF_CONTENT_0(a) ""
#define PF_CONTENT_1(a) " AND " a ".content = $7"
#define PF_AFTER_0 ""
#define PF_AFTER_1 " AND (r.sort_key, r.type, r.content, r.id) > ($10, $11, $12, $13::uuid)"
#define PF(n, t, c, a) PF_NAME_##n(a) PF_TYPE_##t(a) PF_CONTENT_##c(a)
/* the total: the zone's record count, or a count of the filtered rows */
#define PF_TOTAL_0(n, t, c) "z.record_count FROM zones z"
#define PF_TOTAL_1(n, t, c)                                                                        \
    "cnt.n FROM zones z CROSS JOIN LATERAL (SELECT count(*) AS n FROM records k"                   \
    " WHERE k.zone_id = z.id" PF(n, t, c, "k") ") cnt"
#define RECORD_PAGE(n, t, c, any, after)                                                           \
    {"record_page_" #n #t #c #after,                                                               \
     "SELECT p.*, z.name, " PF_TOTAL_##any(n, t, c)                                                \
     " LEFT JOIN LATERAL (SELECT " RECORD_COLS " FROM records r WHERE r.zone_id = z.id"            \
     PF(n, t, c, "r") PF_AFTER_##after                                                             \
     " ORDER BY r.sort_key, r.type, r.content, r.id LIMIT $8::int OFFSET $9::int) p ON true"       \
     READ_ZONE_WHERE " ORDER BY p.sort_key, p.type, p.stored_content, p.id",                       \
     13}

/* clang-format on */

const db_statement_t db_statements[] = {
    /* record pages, in shape order (DB_PAGE_* bits): keep first */
    RECORD_PAGE(0, 0, 0, 0, 0),
    RECORD_PAGE(1, 0, 0, 1, 0),
    RECORD_PAGE(0, 1, 0, 1, 0),
    RECORD_PAGE(1, 1, 0, 1, 0),
    RECORD_PAGE(0, 0, 1, 1, 0),
    RECORD_PAGE(1, 0, 1, 1, 0),
    RECORD_PAGE(0, 1, 1, 1, 0),
    RECORD_PAGE(1, 1, 1, 1, 0),
    RECORD_PAGE(0, 0, 0, 0, 1),
    RECORD_PAGE(1, 0, 0, 1, 1),
    RECORD_PAGE(0, 1, 0, 1, 1),
    RECORD_PAGE(1, 1, 0, 1, 1),
    RECORD_PAGE(0, 0, 1, 1, 1),
    RECORD_PAGE(1, 0, 1, 1, 1),
    RECORD_PAGE(0, 1, 1, 1, 1),
    RECORD_PAGE(1, 1, 1, 1, 1),
    /* one record by id; columns RECORD_COLS, 14 the zone's name */
    /* the apex SOA and NS of the zone named $1 (the DNS listener's answers) */
    /* $1: a name and the names above it; the zone of the longest */
    {"zone_apex",
     "SELECT " RECORD_COLS " FROM zones z JOIN records r ON r.zone_id = z.id AND r.name = z.name"
     " AND r.type IN ('SOA', 'NS') AND NOT r.disabled WHERE z.name = (SELECT e.name FROM zones e"
     " WHERE e.name = ANY($1::text[]) ORDER BY length(e.name) DESC LIMIT 1)"
     " ORDER BY r.type DESC, r.content",
     0},
    {"record_one",
     "SELECT p.*, z.name FROM zones z LEFT JOIN LATERAL (SELECT " RECORD_COLS
     " FROM records r WHERE r.zone_id = z.id AND r.id = $5::uuid) p ON true" READ_ZONE_WHERE,
     5},

    {"begin", "BEGIN", 0},
    {"commit", "COMMIT", 0},
    {"rollback", "ROLLBACK", 0},
    {"ping", "SELECT 1", 0},
    {"token_check", "SELECT dnsapi_token_check($1::uuid)", 0},
    {"tsig_key_check", "SELECT dnsapi_tsig_key_check($1::uuid)", 0},
    /* the operator (dnsapi zone ...): no credential, no zone limit */
    {"operator_check",
     "SELECT set_config('dnsapi.token_id', '', true), set_config('dnsapi.tsig_key_id', '', true),"
     " set_config('dnsapi.token_zones', '', true)",
     0},

    /* zones */
    {"zone_get",
     "SELECT " ZONE_COLS ", " ZONE_PUBLICATION_COLS " FROM zones z" ZONE_PUBLICATION_JOIN
     " WHERE z.id = " ZONE_OF " ORDER BY " ZONE_SERVERS_ORDER,
     0},
    {"zone_lock", "SELECT " ZONE_COLS " FROM zones z WHERE z.id = " ZONE_OF " FOR UPDATE", 0},
    /* $2 name substring, $3 allowed names (token limit), $4 limit, $5 offset, $6 after name;
     * columns ZONE_COLS, ZONE_PUBLICATION_COLS, 18 the total; a zone's rows
     * are consecutive. The publication is read for the zones of the page
     * only (the subquery pages first), one index probe of zone_servers each. */
    {"zone_list",
     "SELECT " ZONE_COLS ", " ZONE_PUBLICATION_COLS ", p.total FROM (SELECT z.id,"
     " count(*) OVER () AS total FROM zones z"
     " WHERE z.account_id = $1::uuid"
     " AND ($2::text IS NULL OR strpos(z.name, lower($2)) > 0)"
     " AND ($3::text[] IS NULL OR z.name = ANY($3::text[]))"
     " AND ($6::text IS NULL OR z.name > $6)"
     " ORDER BY z.name LIMIT $4::int OFFSET $5::int) p"
     " JOIN zones z ON z.id = p.id" ZONE_PUBLICATION_JOIN " ORDER BY z.name, " ZONE_SERVERS_ORDER,
     0},
    /* The zone holding a name: $2 the name and its ancestors (text[]), $3
     * allowed names (token limit); the longest wins. Columns as zone_list. */
    {"zone_holding",
     "SELECT " ZONE_COLS ", " ZONE_PUBLICATION_COLS ", p.total FROM (SELECT z.id,"
     " 1 AS total FROM zones z"
     " WHERE z.account_id = $1::uuid AND z.name = ANY($2::text[])"
     " AND ($3::text[] IS NULL OR z.name = ANY($3::text[]))"
     " ORDER BY length(z.name) DESC LIMIT 1) p"
     " JOIN zones z ON z.id = p.id" ZONE_PUBLICATION_JOIN " ORDER BY z.name, " ZONE_SERVERS_ORDER,
     0},
    /* Serialises zone creation across accounts so that the tree check and
     * the insert see each other. */
    {"zone_tree_lock", "SELECT pg_advisory_xact_lock(7020250001)", 0},
    /* $1 account, $2 name, $3 name servers (text[]), $4 hostmaster, $5
     * whether the parent gets the delegation (migrations/0040). No row:
     * the name lies inside or above another account's zone (the tree rule:
     * two index probes, migrations/0015, never a scan of zones). */
    {"zone_create",
     "INSERT INTO zones AS z (account_id, name, nameservers, hostmaster, delegate)"
     " SELECT $1::uuid, $2, $3::text[], $4, $5::boolean"
     " WHERE NOT dnsapi_zone_tree_conflict($1::uuid, $2)"
     " RETURNING " ZONE_COLS ", " ZONE_NEW_PUBLICATION_COLS,
     0},
    {"zone_delete", "DELETE FROM zones z WHERE z.id = " ZONE_OF " RETURNING " ZONE_COLS, 0},
    /* Delegations to child zones of the same account (migrations/0040):
     * those around the zones this transaction created or deleted, and that
     * of the zone $1/$2 after a write that may change it (its name servers,
     * or the address records that are their glue). */
    {"delegation_sync_pending", "SELECT dnsapi_delegation_sync_pending()", 0},
    {"delegation_sync", "SELECT dnsapi_delegation_sync(" ZONE_OF ")", 0},

    /* records, for write transactions (storage/store_tx.c): $3 and on are
     * array literals. The lookups by ids and by names are one index probe
     * per element, written so that no plan can be anything else: as
     * "r.zone_id = ... AND r.name = ANY($3)" a generic plan priced the
     * array at ten elements and, for a zone the statistics had not seen
     * grow (a new zone taking writes), chose a scan of the whole zone
     * filtered by name - 0.58 ms instead of 0.03 ms per write at 2,000
     * records, growing with the zone (bench/README.md). OFFSET 0 keeps the
     * subquery from being flattened into a join the planner may reorder. */
    /* the records of the ids $3 with their neighbourhood, which the rules
     * of a delete or a patch read: every record at their names (them
     * included) and the NS records pointing at those names. One statement
     * instead of a round of three (bench/README.md); a row may come twice
     * (an NS record at the name it points at). */
    {"records_around_ids",
     "SELECT " RECORD_COLS " FROM (SELECT DISTINCT o.name FROM (SELECT DISTINCT unnest($3::uuid[]))"
     " AS k(id) CROSS JOIN LATERAL (SELECT o.name FROM records o WHERE o.id = k.id"
     " AND o.zone_id = " ZONE_OF " OFFSET 0) o) AS n"
     " CROSS JOIN LATERAL (SELECT * FROM records r WHERE r.zone_id = " ZONE_OF
     " AND r.name = n.name UNION ALL SELECT * FROM records r WHERE r.zone_id = " ZONE_OF
     " AND r.type = 'NS' AND r.content = n.name) r",
     0},
    {"zone_records", "SELECT " RECORD_COLS " FROM records r WHERE r.zone_id = " ZONE_OF, 0},
    {"records_at_names",
     "SELECT " RECORD_COLS " FROM (SELECT DISTINCT unnest($3::text[])) AS k(name)"
     " CROSS JOIN LATERAL (SELECT * FROM records r WHERE r.zone_id = " ZONE_OF
     " AND r.name = k.name OFFSET 0) r",
     0},
    /* for each name of $3, one record strictly below it (its subtree is
     * the sort_key range from the name's key and chr(1) to its key and
     * chr(2): one probe of records_order_idx), other than the ids $4 the
     * change deletes or patches; what a DNAME's rule reads */
    {"records_below_any",
     "SELECT " RECORD_COLS " FROM (SELECT DISTINCT unnest($3::text[])) AS k(name)"
     " CROSS JOIN LATERAL (SELECT * FROM records r WHERE r.zone_id = " ZONE_OF
     " AND r.sort_key >= (dnsapi_name_sort_key(k.name) || chr(1)) COLLATE \"C\""
     " AND r.sort_key < (dnsapi_name_sort_key(k.name) || chr(2)) COLLATE \"C\""
     " AND r.id <> ALL ($4::uuid[]) ORDER BY r.sort_key LIMIT 1) r",
     0},
    {"ns_pointing_at_any",
     "SELECT " RECORD_COLS " FROM records r WHERE r.zone_id = " ZONE_OF
     " AND r.type = 'NS' AND r.content = ANY($3::text[])",
     0},
    /* By the primary key alone: as "r.zone_id = ... AND r.id = ANY($3)"
     * the generic plan ANDed a bitmap of all the zone's index entries with
     * the ids' - 6 ms instead of 0.4 ms per delete in a 90,000-record zone
     * beside 2,000 small ones, and bench/run.sh's deletes at a fifth of
     * their rate (bench/README.md). "IS TRUE" makes the zone test a filter
     * that no index can serve. */
    {"batch_delete",
     "DELETE FROM records r WHERE r.id = ANY($3::uuid[]) AND (r.zone_id = " ZONE_OF
     ") IS TRUE RETURNING r.id",
     0},
    /* $3 ids, $4 contents, $5 ttls, $6 priorities, $7 disabled, $8 comments */
    {"batch_update",
     "UPDATE records r SET content = u.content, ttl = u.ttl, priority = u.priority,"
     " disabled = u.disabled, comment = u.comment"
     " FROM unnest($3::uuid[], $4::text[], $5::int[], $6::int[], $7::boolean[], $8::text[])"
     " AS u(id, content, ttl, priority, disabled, comment)"
     " WHERE r.zone_id = " ZONE_OF " AND r.id = u.id RETURNING " RECORD_COLS,
     0},
    /* $3 names, $4 types, $5 contents, $6 ttls, $7 priorities, $8 disabled, $9 comments;
     * rows come back in the order given */
    {"batch_insert",
     "INSERT INTO records AS r (zone_id, account_id, name, type, content, ttl, priority,"
     " disabled, comment)"
     " SELECT " ZONE_OF ", $1::uuid, u.name, u.type, u.content, u.ttl, u.priority, u.disabled,"
     " u.comment FROM unnest($3::text[], $4::text[], $5::text[], $6::int[], $7::int[],"
     " $8::boolean[], $9::text[]) WITH ORDINALITY"
     " AS u(name, type, content, ttl, priority, disabled, comment, ord) ORDER BY u.ord"
     " RETURNING " RECORD_COLS,
     0},
    /* $3 name, $4 type, $5 content, $6 ttl, $7 priority, $8 disabled, $9 comment */
    {"record_insert",
     "INSERT INTO records AS r (zone_id, account_id, name, type, content, ttl, priority, disabled,"
     " comment) VALUES (" ZONE_OF ", $1::uuid, $3, $4, $5, $6::int, $7::int,"
     " coalesce($8::boolean, false), $9) RETURNING " RECORD_COLS,
     0},
    /* $3 id */
    {"record_delete",
     "DELETE FROM records r WHERE r.zone_id = " ZONE_OF
     " AND r.id = $3::uuid RETURNING " RECORD_COLS,
     0},
    /* every enabled record in master-file order: SOA first, apex NS next,
     * then DNS order. Columns: 0 name, 1 type, 2 ttl, 3 priority, 4 content,
     * 5 managed_by */
    {"zone_export",
     "SELECT r.name, r.type, r.ttl, r.priority, " DB_RECORD_CONTENT(
         "r") ", r.managed_by FROM records r"
              " WHERE r.zone_id = " ZONE_OF " AND NOT r.disabled"
              " ORDER BY r.sort_key, r.type <> 'SOA', r.type <> 'NS', r.type, r.content, "
              "r.priority, r.id",
     0},
    /* Idempotency-Key: $1 account, $2 key, $3 request hash; keys last 24
     * hours. status 0: claimed by a write whose answer is not stored yet. */
    {"idem_expire",
     "DELETE FROM idempotency_keys"
     " WHERE account_id = $1::uuid AND key <> $2 AND created_at <= now() - interval '24 hours'",
     0},
    {"idem_get",
     "SELECT request_hash, status, body FROM idempotency_keys"
     " WHERE account_id = $1::uuid AND key = $2",
     0},
    /* one row: claimed by this request (new, or an expired key taken
     * over); none: the key is taken, and a request still running with it
     * has ended (the insert waits for it) */
    {"idem_claim",
     "INSERT INTO idempotency_keys AS k (account_id, key, request_hash, status, body)"
     " VALUES ($1::uuid, $2, $3, 0, '') ON CONFLICT (account_id, key) DO UPDATE"
     " SET request_hash = excluded.request_hash, status = 0, body = '', created_at = now()"
     " WHERE k.created_at <= now() - interval '24 hours' RETURNING 1",
     0},
    /* $3 status, $4 body */
    {"idem_store",
     "UPDATE idempotency_keys SET status = $3::int, body = $4"
     " WHERE account_id = $1::uuid AND key = $2",
     0},
    /* the audit trail, oldest first: $3 limit, $4 offset, $5 after this change id.
     * Columns: 0 id, 1 serial, 2 action, 3 record_id, 4 name, 5 type,
     * 6 before (JSON), 7 after (JSON), 8 token_id, 9 created_at, 10 tsig_key_id */
    {"changes_page",
     "SELECT c.id, c.serial, c.action, c.record_id, c.name, c.type,"
     " dnsapi_change_record(c.before), dnsapi_change_record(c.after), c.token_id,"
     " to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), c.tsig_key_id"
     " FROM changes c WHERE c.zone_id = " ZONE_OF " AND c.id > coalesce($5::bigint, 0)"
     " ORDER BY c.id LIMIT $3::int OFFSET $4::int",
     0},
    {"changes_count", "SELECT count(*) FROM changes c WHERE c.zone_id = " ZONE_OF, 0},
    {"schema_check", "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE name = $1)", 0},
    {"zone_serial", "SELECT z.serial FROM zones z WHERE z.id = " ZONE_OF, 0},
    /* a name-server change (migrations/0030): $3 the names in order */
    {"apex_ns_begin", "SELECT dnsapi_apex_ns_begin(" ZONE_OF ", $3::text[])", 0},
    {"apex_ns_end", "SELECT dnsapi_apex_ns_end()", 0},

    /* tokens: $1 account, $2 name, $3 scopes (text[]), $4 zones (text[] or
     * NULL), $5 expires_at (epoch seconds), $6 policies (JSON or NULL) */
    {"token_insert",
     "INSERT INTO tokens AS t (account_id, name, scopes, zones, expires_at, policies)"
     " VALUES ($1::uuid, $2, $3::text[], $4::text[], to_timestamp($5::bigint), $6::jsonb)"
     " RETURNING " TOKEN_COLS,
     0},
    {"token_list",
     "SELECT " TOKEN_COLS ", count(*) OVER () FROM tokens t"
     " WHERE t.account_id = $1::uuid"
     " ORDER BY t.created_at, t.id LIMIT $2::int OFFSET $3::int",
     0},
    {"token_revoke",
     "UPDATE tokens t SET revoked_at = now()"
     " WHERE t.account_id = $1::uuid AND t.id = $2::uuid AND t.revoked_at IS NULL"
     " RETURNING " TOKEN_COLS,
     0},
    {"token_get",
     "SELECT " TOKEN_COLS " FROM tokens t"
     " WHERE t.account_id = $1::uuid AND t.id = $2::uuid",
     0},

    /* TSIG keys: $1 account, $2 name, $3 algorithm, $4 sealed secret, $5
     * scopes (text[]), $6 zones (text[] or NULL), $7 policies (JSON or
     * NULL), $8 expires_at (epoch seconds) */
    {"tsig_insert",
     "INSERT INTO tsig_keys AS k (account_id, name, algorithm, secret_sealed, scopes, zones,"
     " policies, expires_at)"
     " VALUES ($1::uuid, $2, $3, $4, $5::text[], $6::text[], $7::jsonb, to_timestamp($8::bigint))"
     " RETURNING " TSIG_COLS,
     0},
    {"tsig_list",
     "SELECT " TSIG_COLS ", count(*) OVER () FROM tsig_keys k"
     " WHERE k.account_id = $1::uuid"
     " ORDER BY k.created_at, k.id LIMIT $2::int OFFSET $3::int",
     0},
    {"tsig_get",
     "SELECT " TSIG_COLS " FROM tsig_keys k WHERE k.account_id = $1::uuid AND k.id = $2::uuid", 0},
    {"tsig_revoke",
     "UPDATE tsig_keys k SET revoked_at = now()"
     " WHERE k.account_id = $1::uuid AND k.id = $2::uuid AND k.revoked_at IS NULL"
     " RETURNING " TSIG_COLS,
     0},
    {"tsig_lookup",
     "SELECT " TSIG_COLS ", k.secret_sealed FROM tsig_keys k"
     " WHERE k.name = $1 AND k.revoked_at IS NULL AND k.expires_at > now()",
     0},
};

const size_t db_statements_count = sizeof(db_statements) / sizeof(db_statements[0]);

const char *db_record_page_stmt(unsigned shape)
{
    return db_statements[shape % DB_PAGE_SHAPES].name;
}
