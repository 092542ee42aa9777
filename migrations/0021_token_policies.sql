-- Bearer tokens carry the same optional policies as TSIG keys
-- (dnsapi_policies_valid, migration 0020; dns/policy.h). NULL: the token is
-- limited by its scopes and zone list only.
ALTER TABLE tokens ADD COLUMN policies jsonb CHECK (dnsapi_policies_valid(policies));
