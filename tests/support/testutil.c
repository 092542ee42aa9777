#include "support/testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "support/testdb.h"

extern char **environ;

void testutil_sql(PGconn *c, const char *fmt, ...)
{
    char buf[16384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    char state[6];
    int st = testdb_exec(c, buf, state);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fail_msg("SQL failed (%s): %s", state, buf);
    }
}

char *testutil_value(PGconn *c, const char *fmt, ...)
{
    char buf[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return testdb_value(c, buf);
}

int testutil_sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int testutil_ns_includes_check(const char *dir, const char *nsd_inc, const char *knot_inc,
                               const char *bind_inc)
{
    if (testutil_sh("printf 'server:\\n\\tzonesdir: \"%s\"\\ninclude: \"%s\"\\n' > %s/nsd.conf"
                    " && nsd-checkconf %s/nsd.conf",
                    dir, nsd_inc, dir, dir) != 0) {
        return 1;
    }
    if (testutil_sh("printf 'server:\\n  rundir: \"%s\"\\ndatabase:\\n  storage: \"%s\"\\n"
                    "include: \"%s\"\\n' > %s/knot.conf && knotc -c %s/knot.conf conf-check "
                    ">/dev/null",
                    dir, dir, knot_inc, dir, dir) != 0) {
        return 2;
    }
    if (testutil_sh("printf 'options { directory \"%s\"; };\\ninclude \"%s\";\\n' > "
                    "%s/named.conf && named-checkconf -z %s/named.conf >/dev/null",
                    dir, bind_inc, dir, dir) != 0) {
        return 3;
    }
    return 0;
}

char *testutil_file_read(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    char chunk[8192];
    size_t n;
    while (out != NULL && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        fwrite(chunk, 1, n, out);
    }
    fclose(fp);
    if (out != NULL) {
        fclose(out);
    }
    return buf;
}

void testutil_env_clear_dnsapi(void)
{
    char names[128][128];
    size_t n = 0;
    for (char **e = environ; *e != NULL && n < 128; e++) {
        const char *eq = strchr(*e, '=');
        if (strncmp(*e, "DNSAPI_", 7) == 0 && eq != NULL && (size_t)(eq - *e) < sizeof(names[0])) {
            memcpy(names[n], *e, (size_t)(eq - *e));
            names[n][eq - *e] = '\0';
            n++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        unsetenv(names[i]);
    }
}
