#include "zonegen/hook.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"

/* Appends text single-quoted for /bin/sh: ' becomes '\''. */
static int quote_append(char *out, size_t outlen, size_t *pos, const char *text, size_t len)
{
    if (*pos + 1 >= outlen) {
        return -1;
    }
    out[(*pos)++] = '\'';
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\'') {
            if (*pos + 4 >= outlen) {
                return -1;
            }
            memcpy(out + *pos, "'\\''", 4);
            *pos += 4;
        } else {
            if (*pos + 1 >= outlen) {
                return -1;
            }
            out[(*pos)++] = text[i];
        }
    }
    if (*pos + 1 >= outlen) {
        return -1;
    }
    out[(*pos)++] = '\'';
    return 0;
}

int zonegen_hook_expand(const char *tmpl, const char *zone, const char *file, char *out,
                        size_t outlen)
{
    size_t pos = 0, zlen = strlen(zone);
    if (zlen > 1 && zone[zlen - 1] == '.') {
        zlen--;
    }
    for (const char *p = tmpl; *p != '\0';) {
        if (strncmp(p, "{zone}", 6) == 0) {
            if (quote_append(out, outlen, &pos, zone, zlen) != 0) {
                return -1;
            }
            p += 6;
        } else if (strncmp(p, "{file}", 6) == 0) {
            if (quote_append(out, outlen, &pos, file, strlen(file)) != 0) {
                return -1;
            }
            p += 6;
        } else {
            if (pos + 1 >= outlen) {
                return -1;
            }
            out[pos++] = *p++;
        }
    }
    out[pos] = '\0';
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Keeps the last bytes of the output: the error is usually at the end. */
static void tail_keep(char *tail, size_t cap, size_t *len, const char *data, size_t n)
{
    if (n >= cap - 1) {
        data += n - (cap - 1);
        n = cap - 1;
    }
    if (*len + n > cap - 1) {
        size_t drop = *len + n - (cap - 1);
        memmove(tail, tail + drop, *len - drop);
        *len -= drop;
    }
    memcpy(tail + *len, data, n);
    *len += n;
    tail[*len] = '\0';
}

/* Turns the output tail into one line for a log or last_error. */
static void tail_flatten(char *tail)
{
    size_t len = strlen(tail);
    while (len > 0 && (tail[len - 1] == '\n' || tail[len - 1] == ' ')) {
        tail[--len] = '\0';
    }
    for (char *p = tail; *p != '\0'; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t') {
            *p = ' ';
        }
    }
}

int zonegen_hook_run(const char *cmd, int timeout_ms, char *errbuf, size_t errlen)
{
    return zonegen_hook_run_input(cmd, NULL, 0, timeout_ms, errbuf, errlen);
}

/* The input goes through an unlinked temporary file rather than a pipe, so
 * that a command which reads slowly, or not at all, cannot block zonegen
 * while it writes. */
static int input_file(const char *input, size_t len, char *errbuf, size_t errlen)
{
    FILE *fp = tmpfile();
    if (fp == NULL) {
        snprintf(errbuf, errlen, "command input: %s", strerror(errno));
        return -1;
    }
    if ((len > 0 && fwrite(input, 1, len, fp) != len) || fflush(fp) != 0) {
        snprintf(errbuf, errlen, "command input: %s", strerror(errno));
        fclose(fp);
        return -1;
    }
    int fd = dup(fileno(fp));
    fclose(fp);
    if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0) {
        snprintf(errbuf, errlen, "command input: %s", strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

int zonegen_hook_run_input(const char *cmd, const char *input, size_t input_len, int timeout_ms,
                           char *errbuf, size_t errlen)
{
    int in_fd = -1;
    if (input != NULL && (in_fd = input_file(input, input_len, errbuf, errlen)) < 0) {
        return DNSAPI_EIO;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(errbuf, errlen, "command: pipe: %s", strerror(errno));
        if (in_fd >= 0) {
            close(in_fd);
        }
        return DNSAPI_EIO;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(errbuf, errlen, "command: fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        if (in_fd >= 0) {
            close(in_fd);
        }
        return DNSAPI_EIO;
    }
    if (pid == 0) {
        setpgid(0, 0);
        int stdin_fd = in_fd >= 0 ? in_fd : open("/dev/null", O_RDONLY);
        if (stdin_fd >= 0) {
            dup2(stdin_fd, 0);
        }
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        signal(SIGPIPE, SIG_DFL);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    close(fds[1]);
    if (in_fd >= 0) {
        close(in_fd);
    }
    char tail[400] = "";
    size_t tail_len = 0;
    long long deadline = now_ms() + timeout_ms;
    int timed_out = 0, open_pipe = 1, status = 0;
    /* Read until the pipe closes and the child is gone, or time runs out. */
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        if (open_pipe) {
            struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
            int pr = poll(&pfd, 1, left > 100 ? 100 : (int)left);
            if (pr > 0) {
                char buf[512];
                ssize_t n = read(fds[0], buf, sizeof(buf));
                if (n > 0) {
                    tail_keep(tail, sizeof(tail), &tail_len, buf, (size_t)n);
                } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                    open_pipe = 0;
                }
            }
        } else {
            struct timespec ts = {0, 5 * 1000000L};
            nanosleep(&ts, NULL);
        }
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            /* Drain what is already buffered without waiting for
             * grandchildren that may hold the pipe open. */
            char buf[512];
            fcntl(fds[0], F_SETFL, O_NONBLOCK);
            ssize_t n;
            while (open_pipe && (n = read(fds[0], buf, sizeof(buf))) > 0) {
                tail_keep(tail, sizeof(tail), &tail_len, buf, (size_t)n);
            }
            break;
        }
    }
    close(fds[0]);
    tail_flatten(tail);
    if (timed_out) {
        kill(-pid, SIGKILL);
        waitpid(pid, &status, 0);
        snprintf(errbuf, errlen, "timed out after %d ms: %s", timeout_ms, tail);
        return DNSAPI_ETIMEOUT;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return DNSAPI_OK;
    }
    if (WIFEXITED(status)) {
        snprintf(errbuf, errlen, "exited with status %d: %s", WEXITSTATUS(status),
                 tail[0] != '\0' ? tail : "(no output)");
    } else {
        snprintf(errbuf, errlen, "killed by signal %d: %s",
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0, tail);
    }
    return DNSAPI_EIO;
}
