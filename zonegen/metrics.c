#include "zonegen/metrics.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Upper bounds of the histogram buckets, in seconds. */
static const double buckets[] = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300};
#define N_BUCKETS (sizeof(buckets) / sizeof(buckets[0]))

static const char *const step_names[ZONEGEN_STEP_COUNT] = {"render", "reload", "notify", "verify"};

struct zonegen_metrics {
    pthread_mutex_t lock;
    pthread_t thread;
    atomic_int stop;
    int fd;
    unsigned long long rendered;
    unsigned long long failed[ZONEGEN_STEP_COUNT];
    char **servers;
    unsigned long long *server_failed;
    size_t n_servers;
    long long pending;
    double oldest;
    unsigned long long hist[N_BUCKETS + 1]; /* the last: +Inf */
    double hist_sum;
    unsigned long long hist_count;
    uint32_t catalog_serial;
};

/* Label values are server names and addresses: letters, digits, dots,
 * colons, brackets. Anything else becomes '_' so the text stays valid. */
static void label_write(FILE *fp, const char *s)
{
    for (; *s != '\0'; s++) {
        int ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
                 strchr(".:-_[]@", *s) != NULL;
        fputc(ok ? *s : '_', fp);
    }
}

char *zonegen_metrics_render(zonegen_metrics_t *m)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (fp == NULL) {
        return NULL;
    }
    pthread_mutex_lock(&m->lock);
    fprintf(fp,
            "# HELP dnsapi_zonegen_zones_rendered_total Master files written.\n"
            "# TYPE dnsapi_zonegen_zones_rendered_total counter\n"
            "dnsapi_zonegen_zones_rendered_total %llu\n"
            "# HELP dnsapi_zonegen_failures_total Zone publications that failed, by step.\n"
            "# TYPE dnsapi_zonegen_failures_total counter\n",
            m->rendered);
    for (int i = 0; i < ZONEGEN_STEP_COUNT; i++) {
        fprintf(fp, "dnsapi_zonegen_failures_total{step=\"%s\"} %llu\n", step_names[i],
                m->failed[i]);
    }
    fputs("# HELP dnsapi_zonegen_publish_failures_total Checks in which a name server did not "
          "serve a zone's new serial, by server.\n"
          "# TYPE dnsapi_zonegen_publish_failures_total counter\n",
          fp);
    for (size_t i = 0; i < m->n_servers; i++) {
        fputs("dnsapi_zonegen_publish_failures_total{server=\"", fp);
        label_write(fp, m->servers[i]);
        fprintf(fp, "\"} %llu\n", m->server_failed[i]);
    }
    fprintf(fp,
            "# HELP dnsapi_zonegen_zones_pending Zones whose last change is not served by every "
            "name server yet.\n"
            "# TYPE dnsapi_zonegen_zones_pending gauge\n"
            "dnsapi_zonegen_zones_pending %lld\n"
            "# HELP dnsapi_zonegen_oldest_pending_change_seconds Age of the oldest change not "
            "yet published (0 when none).\n"
            "# TYPE dnsapi_zonegen_oldest_pending_change_seconds gauge\n"
            "dnsapi_zonegen_oldest_pending_change_seconds %.3f\n"
            "# HELP dnsapi_zonegen_change_to_published_seconds Time from a zone's change to "
            "every name server serving it.\n"
            "# TYPE dnsapi_zonegen_change_to_published_seconds histogram\n",
            m->pending, m->oldest);
    unsigned long long cum = 0;
    for (size_t i = 0; i < N_BUCKETS; i++) {
        cum += m->hist[i];
        fprintf(fp, "dnsapi_zonegen_change_to_published_seconds_bucket{le=\"%g\"} %llu\n",
                buckets[i], cum);
    }
    cum += m->hist[N_BUCKETS];
    fprintf(fp,
            "dnsapi_zonegen_change_to_published_seconds_bucket{le=\"+Inf\"} %llu\n"
            "dnsapi_zonegen_change_to_published_seconds_sum %.6f\n"
            "dnsapi_zonegen_change_to_published_seconds_count %llu\n"
            "# HELP dnsapi_zonegen_catalog_serial Serial of the catalog zone last written.\n"
            "# TYPE dnsapi_zonegen_catalog_serial gauge\n"
            "dnsapi_zonegen_catalog_serial %u\n",
            cum, m->hist_sum, m->hist_count, m->catalog_serial);
    pthread_mutex_unlock(&m->lock);
    fclose(fp);
    return buf;
}

/* Reads the request head (bounded) and answers it; one request per
 * connection. */
static void client_serve(zonegen_metrics_t *m, int fd)
{
    char req[2048];
    size_t got = 0;
    for (int i = 0; i < 20 && got < sizeof(req) - 1; i++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0) {
            continue;
        }
        ssize_t n = recv(fd, req + got, sizeof(req) - 1 - got, 0);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
        req[got] = '\0';
        if (strstr(req, "\r\n\r\n") != NULL || strstr(req, "\n\n") != NULL) {
            break;
        }
    }
    req[got] = '\0';
    char head[256];
    const char *body;
    char *text = NULL;
    int is_get = strncmp(req, "GET ", 4) == 0;
    int is_metrics =
        is_get && (strncmp(req + 4, "/metrics ", 9) == 0 || strncmp(req + 4, "/metrics?", 9) == 0);
    if (is_metrics) {
        text = zonegen_metrics_render(m);
        body = text != NULL ? text : "";
    } else {
        body = is_get ? "not found: GET /metrics\n" : "method not allowed: GET /metrics\n";
    }
    int len = snprintf(head, sizeof(head),
                       "HTTP/1.1 %s\r\nContent-Type: text/plain; version=0.0.4\r\n"
                       "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                       is_metrics ? "200 OK"
                       : is_get   ? "404 Not Found"
                                  : "405 Method Not Allowed",
                       strlen(body));
    send(fd, head, (size_t)len, MSG_NOSIGNAL);
    for (size_t off = 0, total = strlen(body); off < total;) {
        ssize_t n = send(fd, body + off, total - off, MSG_NOSIGNAL);
        if (n <= 0) {
            break;
        }
        off += (size_t)n;
    }
    free(text);
}

static void *serve_main(void *arg)
{
    zonegen_metrics_t *m = arg;
    while (!atomic_load(&m->stop)) {
        struct pollfd p = {.fd = m->fd, .events = POLLIN};
        if (poll(&p, 1, 200) <= 0) {
            continue;
        }
        int c = accept4(m->fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            continue;
        }
        client_serve(m, c);
        close(c);
    }
    return NULL;
}

zonegen_metrics_t *zonegen_metrics_new(const dnsapi_hostport_t *addr,
                                       const char *const *server_names, size_t n, char *errbuf,
                                       size_t errlen)
{
    zonegen_metrics_t *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        snprintf(errbuf, errlen, "out of memory");
        return NULL;
    }
    m->fd = -1;
    pthread_mutex_init(&m->lock, NULL);
    m->servers = calloc(n + 1, sizeof(*m->servers));
    m->server_failed = calloc(n + 1, sizeof(*m->server_failed));
    if (m->servers == NULL || m->server_failed == NULL) {
        goto nomem;
    }
    for (size_t i = 0; i < n; i++) {
        if ((m->servers[i] = strdup(server_names[i])) == NULL) {
            goto nomem;
        }
        m->n_servers = i + 1;
    }
    char port[8];
    snprintf(port, sizeof(port), "%u", (unsigned)addr->port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
    struct addrinfo *ai = NULL;
    int rc = getaddrinfo(addr->host, port, &hints, &ai);
    if (rc != 0) {
        snprintf(errbuf, errlen, "%s: %s", addr->host, gai_strerror(rc));
        goto fail;
    }
    m->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (m->fd < 0 || setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(m->fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(m->fd, 16) != 0) {
        snprintf(errbuf, errlen, "cannot listen on %s:%s: %s", addr->host, port, strerror(errno));
        freeaddrinfo(ai);
        goto fail;
    }
    freeaddrinfo(ai);
    if (pthread_create(&m->thread, NULL, serve_main, m) != 0) {
        snprintf(errbuf, errlen, "cannot start the metrics thread");
        goto fail;
    }
    return m;
nomem:
    snprintf(errbuf, errlen, "out of memory");
fail:
    if (m->fd >= 0) {
        close(m->fd);
    }
    m->fd = -1;
    m->thread = 0;
    zonegen_metrics_free(m);
    return NULL;
}

void zonegen_metrics_free(zonegen_metrics_t *m)
{
    if (m == NULL) {
        return;
    }
    if (m->fd >= 0) {
        atomic_store(&m->stop, 1);
        pthread_join(m->thread, NULL);
        close(m->fd);
    }
    for (size_t i = 0; i < m->n_servers; i++) {
        free(m->servers[i]);
    }
    free(m->servers);
    free(m->server_failed);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

#define LOCKED(m, stmt)                                                                            \
    do {                                                                                           \
        if ((m) != NULL) {                                                                         \
            pthread_mutex_lock(&(m)->lock);                                                        \
            stmt;                                                                                  \
            pthread_mutex_unlock(&(m)->lock);                                                      \
        }                                                                                          \
    } while (0)

void zonegen_metrics_rendered(zonegen_metrics_t *m, unsigned long long n)
{
    LOCKED(m, m->rendered += n);
}

void zonegen_metrics_failed(zonegen_metrics_t *m, zonegen_step_t step, unsigned long long n)
{
    LOCKED(m, m->failed[step] += n);
}

void zonegen_metrics_server_failed(zonegen_metrics_t *m, size_t server, unsigned long long n)
{
    LOCKED(
        m, if (server < m->n_servers) { m->server_failed[server] += n; });
}

void zonegen_metrics_pending(zonegen_metrics_t *m, long long zones, double oldest_seconds)
{
    LOCKED(m, m->pending = zones; m->oldest = oldest_seconds);
}

void zonegen_metrics_published(zonegen_metrics_t *m, double age)
{
    if (m == NULL) {
        return;
    }
    size_t b = 0;
    while (b < N_BUCKETS && age > buckets[b]) {
        b++;
    }
    LOCKED(m, m->hist[b]++; m->hist_sum += age; m->hist_count++);
}

void zonegen_metrics_catalog_serial(zonegen_metrics_t *m, uint32_t serial)
{
    LOCKED(m, m->catalog_serial = serial);
}
