-- TSIG keys (RFC 8945) as credentials, shaped like tokens: an account,
-- scopes, an optional zone list, optional policies, an expiry, revocable.
-- The secret is stored sealed (common/seal.h: AES-256-GCM under
-- DNSAPI_SECRETS_KEY, or a key derived from DNSAPI_JWT_SECRET, neither of
-- which is in the database), so a dump alone does not give usable secrets.
-- Key names are unique across accounts: a DNS message names its key
-- before anyone knows the account.

-- Policies, shared by tokens and TSIG keys (dns/policy.h): NULL, or a JSON
-- array of at most 32 objects {zone?, name?, type?, write} whose zone,
-- name and type are strings and write a boolean; no other keys. dns/ checks
-- what the strings say when a credential is minted.
CREATE FUNCTION dnsapi_policies_valid(p jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p IS NULL OR (
        jsonb_typeof(p) = 'array' AND jsonb_array_length(p) <= 32 AND NOT EXISTS (
            SELECT 1 FROM jsonb_array_elements(p) AS e(v)
             WHERE jsonb_typeof(v) <> 'object'
                OR jsonb_typeof(v->'write') IS DISTINCT FROM 'boolean'
                OR (v ? 'zone' AND jsonb_typeof(v->'zone') <> 'string')
                OR (v ? 'name' AND jsonb_typeof(v->'name') <> 'string')
                OR (v ? 'type' AND jsonb_typeof(v->'type') <> 'string')
                OR EXISTS (SELECT 1 FROM jsonb_object_keys(v) AS k(key)
                            WHERE key NOT IN ('zone', 'name', 'type', 'write'))))
$$;

CREATE TABLE tsig_keys (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id     uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name           text COLLATE "C" NOT NULL UNIQUE
                   CHECK (name ~ '^([a-z0-9_-]{1,63}\.)+$' AND length(name) <= 254),
    algorithm      text NOT NULL CHECK (algorithm IN ('hmac-sha256', 'hmac-sha512')),
    secret_sealed  text NOT NULL CHECK (secret_sealed ~ '^dnsapi-seal:1:[0-9a-f]{8}:[A-Za-z0-9+/=]+$'),
    scopes         text[] NOT NULL,
    zones          text[],             -- absolute zone names; NULL means every zone
    policies       jsonb CHECK (dnsapi_policies_valid(policies)),
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tsig_keys_account_idx ON tsig_keys (account_id, created_at, id);
