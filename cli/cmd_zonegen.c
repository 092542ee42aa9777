#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "common/config.h"
#include "common/error.h"
#include "dns/dns.h"
#include "storage/migrate.h"
#include "zonegen/log.h"
#include "zonegen/zonegen.h"

static volatile sig_atomic_t zonegen_stop;

/*
 * Rendering parses every line back with ldns, which allocates and frees
 * blocks of about 64 KiB per record. With glibc's default trim threshold
 * each free at the top of the heap gives the memory back to the kernel and
 * the next record takes it again: three brk calls per record, most of the
 * export time. Keeping a few MiB instead costs nothing measurable.
 */
static void malloc_tune(void)
{
    mallopt(M_TRIM_THRESHOLD, 8 * 1024 * 1024);
    mallopt(M_TOP_PAD, 1024 * 1024);
}

static void on_stop_signal(int sig)
{
    (void)sig;
    zonegen_stop = 1;
}

/* SIGTERM and SIGINT set the flag and interrupt a blocking poll (no
 * SA_RESTART); the current zone finishes its bounded steps first. */
static void signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int cmd_zonegen(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: dnsapi zonegen [--once]\n\n"
               "Writes the master file of every changed zone to DNSAPI_ZONE_DIR as\n"
               "<zone>.zone (atomically), keeps the name-server includes named by\n"
               "DNSAPI_NS_CONF in step, runs DNSAPI_RELOAD_CMD per changed zone ({zone} and\n"
               "{file} are substituted, shell-quoted: do not quote them yourself), sends\n"
               "NOTIFY to DNSAPI_NOTIFY, waits until every DNSAPI_VERIFY server answers with\n"
               "the new SOA serial, and records it as the zone's published serial.\n"
               "Listens for zone_changed and sweeps every 5 seconds; a failed zone stays\n"
               "pending with last_error set and is retried with backoff. SIGTERM or SIGINT\n"
               "stop it. Logs to stderr.\n\n"
               "  --once   render and publish what is dirty, then exit (status 1 if any\n"
               "           zone failed)\n\n"
               "Reads DNSAPI_DATABASE_URL, DNSAPI_ZONE_DIR, DNSAPI_NS_CONF,\n"
               "DNSAPI_RELOAD_CMD, DNSAPI_NOTIFY, DNSAPI_VERIFY (and DNSAPI_ZONEGEN_DEBUG=1\n"
               "for debug lines).\n\n%s",
               dnsapi_config_help);
        return 0;
    }
    int once = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--once") == 0) {
            once = 1;
        } else {
            fprintf(stderr, "dnsapi zonegen: unexpected argument '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    dnsapi_config_t cfg;
    char err[1024];
    if (dnsapi_config_load(&cfg, 0, err, sizeof(err)) != 0) {
        fprintf(stderr, "dnsapi zonegen: %s\n", err);
        return 1;
    }
    zonegen_log_level = cfg.log_level; /* DNSAPI_LOG_LEVEL: the same scale */
    const char *debug = getenv("DNSAPI_ZONEGEN_DEBUG");
    if (debug != NULL && strcmp(debug, "1") == 0) {
        zonegen_log_level = ZONEGEN_LOG_DEBUG;
    }
    signals_install();
    malloc_tune();
    zonegen_options_t opt;
    zonegen_options_init(&opt, &cfg);
    opt.once = once;
    opt.stop = &zonegen_stop;
    return zonegen_run(&opt);
}

int cmd_export(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: dnsapi export ZONE\n\n"
               "Prints the master file of ZONE (name with or without the trailing dot) to\n"
               "stdout: the same bytes dnsapi zonegen writes for the name servers.\n\n"
               "Reads DNSAPI_DATABASE_URL.\n\n%s",
               dnsapi_config_help);
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: dnsapi export ZONE\n");
        return 2;
    }
    char zone[DNS_NAME_BUFSIZE];
    dnsapi_err_t derr;
    if (dns_zone_name_normalize(argv[1], zone, sizeof(zone), &derr) != DNSAPI_OK) {
        fprintf(stderr, "dnsapi export: %s\n", derr.message);
        return 2;
    }
    dnsapi_config_t cfg;
    char err[1024];
    if (dnsapi_config_load(&cfg, 0, err, sizeof(err)) != 0) {
        fprintf(stderr, "dnsapi export: %s\n", err);
        return 1;
    }
    PGconn *c = db_connect_sync(cfg.database_url, err, sizeof(err));
    if (c == NULL) {
        fprintf(stderr, "dnsapi export: %s\n", err);
        return 1;
    }
    malloc_tune();
    static char outbuf[256 * 1024];
    setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
    int rc = zonegen_export(c, zone, stdout, err, sizeof(err));
    PQfinish(c);
    if (fflush(stdout) != 0 && rc == DNSAPI_OK) {
        snprintf(err, sizeof(err), "cannot write to stdout");
        rc = DNSAPI_EIO;
    }
    if (rc != DNSAPI_OK) {
        fprintf(stderr, "dnsapi export: %s\n", err);
        return rc == DNSAPI_ENOTFOUND ? 3 : 1;
    }
    return 0;
}
