/* Credential policies in JSON (see policy_json.h). */
#include "api/policy_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int policy_string(const json_t *o, const char *key, const char **out, dnsapi_err_t *err)
{
    const json_t *v = json_object_get(o, key);
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        return DNSAPI_OK;
    }
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 255) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "wrong_type", "policies",
                              "A policy's %s must be a non-empty string (or left out).", key);
    }
    *out = json_string_value(v);
    return DNSAPI_OK;
}

int api_policies_read(const json_t *v, dns_policy_t *out, size_t *n, dnsapi_err_t *err)
{
    *n = 0;
    if (v == NULL || json_is_null(v)) {
        return DNSAPI_OK;
    }
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > DNS_POLICY_MAX) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "wrong_type", "policies",
                              "policies must be null or an array of 1 to %d policies "
                              "{\"zone\", \"name\", \"type\", \"write\"}.",
                              DNS_POLICY_MAX);
    }
    size_t i;
    const json_t *p;
    json_array_foreach(v, i, p)
    {
        static const char *const keys[] = {"zone", "name", "type", "write"};
        if (!json_is_object(p)) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "wrong_type", "policies",
                                  "Each policy is an object {\"zone\", \"name\", \"type\", "
                                  "\"write\"}.");
        }
        const char *key;
        const json_t *ignored;
        json_object_foreach((json_t *)p, key, ignored)
        {
            bool known = false;
            for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
                known = known || strcmp(key, keys[k]) == 0;
            }
            if (!known) {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "unknown_field", "policies",
                                      "A policy has no field '%.40s': it takes zone, name, type "
                                      "and write.",
                                      key);
            }
        }
        const json_t *write = json_object_get(p, "write");
        if (!json_is_boolean(write)) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "missing_field", "policies",
                                  "Each policy says \"write\": true (may write what it names) "
                                  "or false (may only read it).");
        }
        const char *zone, *name, *type;
        int rc = policy_string(p, "zone", &zone, err);
        rc = rc == DNSAPI_OK ? policy_string(p, "name", &name, err) : rc;
        rc = rc == DNSAPI_OK ? policy_string(p, "type", &type, err) : rc;
        if (rc == DNSAPI_OK) {
            rc = dns_policy_make(zone, name, type, json_is_true(write), &out[*n], err);
        }
        if (rc != DNSAPI_OK) {
            snprintf(err->field, sizeof(err->field), "policies");
            return rc;
        }
        (*n)++;
    }
    return DNSAPI_OK;
}

json_t *api_policies_json(const dns_policy_t *p, size_t n)
{
    if (n == 0) {
        return json_null();
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        if (p[i].zone[0] != '\0') {
            json_object_set_new(o, "zone", json_string(p[i].zone));
        }
        if (p[i].name[0] != '\0') {
            json_object_set_new(o, "name", json_string(p[i].name));
        }
        if (p[i].type[0] != '\0') {
            json_object_set_new(o, "type", json_string(p[i].type));
        }
        json_object_set_new(o, "write", json_boolean(p[i].write));
        json_array_append_new(a, o);
    }
    return a;
}

char *api_policies_dump(const dns_policy_t *p, size_t n)
{
    if (n == 0) {
        return NULL;
    }
    json_t *a = api_policies_json(p, n);
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    if (s == NULL) {
        abort();
    }
    return s;
}

int api_policies_parse(const char *text, dns_policy_t *out, size_t *n, dnsapi_err_t *err)
{
    *n = 0;
    if (text == NULL || text[0] == '\0') {
        return DNSAPI_OK;
    }
    json_error_t jerr;
    json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    if (v == NULL) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "wrong_type", "policies",
                              "policies are not JSON: %s", jerr.text);
    }
    int rc = api_policies_read(v, out, n, err);
    json_decref(v);
    return rc;
}
