-- DNS canonical order (RFC 4034 section 6.1) for names with escapes.
--
-- Names are stored in dns/name.c's canonical presentation: a label may now
-- hold any octet, written \X (printable ASCII such as "\.") or \DDD. The
-- first sort key split on every '.', so "a\.b.example." sorted as three
-- labels instead of two, and "\000" sorted as four characters.
--
-- The key keeps the shape of the first one: labels from the root down,
-- separated by chr(1), each label's octets in an order-preserving code
-- (octet 3 to 255 as chr(octet), octets 0, 1 and 2 as chr(2) followed by
-- chr(2 + octet), so every label character sorts above the separator; in
-- UTF-8 code point order is byte order, so "C" collation compares the
-- octets). For a name without a backslash the code of every octet is the
-- octet itself, so every key stored so far (names were letters, digits,
-- '-', '_' and '*' until now) is unchanged: replacing the function needs
-- no rewrite of records, and records_order_idx stays valid. Names without
-- a backslash take the old, inlinable expression; only names with escapes
-- run the decoder.

CREATE FUNCTION dnsapi_name_sort_key_escaped(name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    labels text[] := '{}';
    cur text := '';
    n int := length(name);
    i int := 1;
    c text;
    v int;
BEGIN
    WHILE i <= n LOOP
        c := substr(name, i, 1);
        IF c = '\' AND i < n THEN
            IF substr(name, i + 1, 3) ~ '^[0-9]{3}$' THEN
                v := substr(name, i + 1, 3)::int;
                i := i + 4;
            ELSE
                v := ascii(substr(name, i + 1, 1));
                i := i + 2;
            END IF;
            IF v BETWEEN 65 AND 90 THEN
                v := v + 32; -- ASCII letters compare as lower case
            END IF;
            IF v > 255 THEN
                v := 255; -- not a stored name; keep the key well-formed
            END IF;
            cur := cur || CASE WHEN v < 3 THEN chr(2) || chr(2 + v) ELSE chr(v) END;
        ELSIF c = '.' THEN
            labels := labels || cur;
            cur := '';
            i := i + 1;
        ELSE
            cur := cur || c;
            i := i + 1;
        END IF;
    END LOOP;
    IF cur <> '' THEN
        labels := labels || cur;
    END IF;
    RETURN coalesce((SELECT string_agg(labels[j], chr(1) ORDER BY j DESC)
                       FROM generate_subscripts(labels, 1) AS j), '');
END
$$;

-- A standard SQL body (RETURN ...), not a string: PostgreSQL records that
-- it calls dnsapi_name_sort_key_escaped, so a dump restores the functions
-- before the table whose generated sort_key uses them (with a string body
-- pg_restore created records first and failed).
CREATE OR REPLACE FUNCTION dnsapi_name_sort_key(name text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN strpos(name, '\') = 0 THEN
           (SELECT coalesce(string_agg(label, chr(1) ORDER BY i DESC), '')
              FROM unnest(string_to_array(rtrim(name, '.'), '.')) WITH ORDINALITY AS t(label, i))
       ELSE dnsapi_name_sort_key_escaped(name)
       END;

-- Any row whose stored key the new function would compute differently (a
-- name with a backslash written by hand) gets its key recomputed; for rows
-- the API wrote this touches nothing.
UPDATE records SET name = name
 WHERE strpos(name, '\') > 0 AND sort_key IS DISTINCT FROM dnsapi_name_sort_key(name);
