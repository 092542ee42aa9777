-- The audit trail as the API shows it (GET /v1/zones/{zone}/changes): the
-- before and after images kept in changes are whole rows (to_jsonb); this
-- gives them the shape of a record in every other answer - timestamps in
-- UTC with a Z, priority only when there is one.
CREATE FUNCTION dnsapi_change_record(j jsonb) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN j IS NULL OR jsonb_typeof(j) <> 'object' THEN NULL ELSE
        jsonb_build_object(
            'id', j->'id', 'name', j->'name', 'type', j->'type', 'content', j->'content',
            'ttl', j->'ttl', 'disabled', j->'disabled', 'system', j->'system',
            'comment', j->'comment',
            'created_at', to_char((j->>'created_at')::timestamptz AT TIME ZONE 'UTC',
                                  'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            'updated_at', to_char((j->>'updated_at')::timestamptz AT TIME ZONE 'UTC',
                                  'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
        || CASE WHEN jsonb_typeof(j->'priority') = 'number'
                THEN jsonb_build_object('priority', j->'priority') ELSE '{}'::jsonb END
    END
$$;
