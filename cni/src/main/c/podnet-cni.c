/*
 * podnet-cni: the minimal native CNI plugin shim. Forwarding only; the same bytes as
 * io.podnet.cni.plugin.PluginMain / ShimFrames (see cni/README.md "Shim protocol"):
 *
 *   request  = "PNC1" u32 envLen env u32 stdinLen stdin     env = ("KEY=VALUE" NUL)*  (CNI_* + PODNET_PLUGIN)
 *   response = "PNR1" u32 exitCode u32 outLen out u32 errLen err   (u32 = big-endian)
 *
 * VERSION is answered locally. Every failure prints exactly one CNI error JSON on stdout and exits 1, in
 * bounded time (cni/README.md "Failures of the shim"):
 *   agent not running / refused / timed out / died mid-answer  -> 11 (50 for STATUS): try again later
 *   permission denied on the socket                            -> 5 (I/O failure; permanent)
 *   socket path too long or not a socket                       -> 7 when it came from the config's agentSocket,
 *                                                                 4 when from PODNET_AGENT_SOCKET
 *   stdin over the 16 MiB frame limit                          -> 7; environment over it -> 4
 * Where the agent is and how long to wait: the config's agentSocket, agentConnectTimeout, agentTimeout (under
 * "ipam" for podnet-ipam, else top level), overridden by the environment PODNET_AGENT_SOCKET,
 * PODNET_AGENT_CONNECT_TIMEOUT, PODNET_AGENT_TIMEOUT (seconds). Defaults /run/podnet/cni.sock, 10 s, 90 s.
 * SIGPIPE is ignored: a dead agent is an EPIPE, not a silent death by signal.
 *
 * Build: gcc -O2 -Wall -o podnet podnet-cni.c   (install as /opt/cni/bin/podnet and, as a copy or
 * symlink, /opt/cni/bin/podnet-ipam: the plugin name is argv[1] if given, else basename(argv[0])).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_PART (16u << 20)
#define SUPPORTED "[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]"
#define DEFAULT_SOCKET "/run/podnet/cni.sock"
#define DEFAULT_CONNECT_TIMEOUT 10.0
#define DEFAULT_ANSWER_TIMEOUT 90.0

enum { CODE_ENV = 4, CODE_IO = 5, CODE_CONFIG = 7, CODE_TRY_AGAIN = 11, CODE_NOT_AVAILABLE = 50 };

extern char **environ;

struct buf { char *p; size_t n, cap; };

static char version[32];

static void json_escaped(const char *s) {
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        if (*u == '"' || *u == '\\') { printf("\\%c", *u); u++; continue; }
        if (*u < 0x20) { printf("\\u%04x", *u); u++; continue; }
        if (*u < 0x80) { putchar(*u++); continue; }
        /* Multi-byte: copy a well-formed UTF-8 sequence, replace anything else so the output stays valid JSON. */
        int len = (*u & 0xe0) == 0xc0 ? 2 : (*u & 0xf0) == 0xe0 ? 3 : (*u & 0xf8) == 0xf0 ? 4 : 0;
        int ok = len > 0 && !(len == 2 && *u < 0xc2);
        for (int i = 1; ok && i < len; i++) ok = (u[i] & 0xc0) == 0x80;
        if (ok) { fwrite(u, 1, (size_t)len, stdout); u += len; } else { printf("\\ufffd"); u++; }
    }
}

static int fail(int code, const char *msg, const char *details) {
    printf("{\"cniVersion\":\"%s\",\"code\":%d,\"msg\":\"", version[0] ? version : "1.1.0", code);
    json_escaped(msg);
    printf("\",\"details\":\"");
    json_escaped(details);
    printf("\"}");
    fflush(stdout);
    return 1;
}

/* fail() for helpers that return a descriptor or 0: prints the error, returns -1. */
static int failed(int code, const char *msg, const char *details) {
    fail(code, msg, details);
    return -1;
}

static int put(struct buf *b, const void *d, size_t n) {
    if (b->n + n > b->cap) {
        size_t c = b->cap ? b->cap : 4096;
        while (c < b->n + n) c *= 2;
        char *q = realloc(b->p, c);
        if (!q) return -1;
        b->p = q; b->cap = c;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
    return 0;
}

static int put_u32(struct buf *b, uint32_t v) {
    unsigned char x[4] = { v >> 24, v >> 16, v >> 8, v };
    return put(b, x, 4);
}

/* ---- a scanner for the few top-level config members the shim needs (no JSON library) ---- */

static const char *skip_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* p at '"': returns the position after the closing quote, or NULL. */
static const char *skip_string(const char *p, const char *end) {
    for (p++; p < end; p++) {
        if (*p == '\\') p++;
        else if (*p == '"') return p + 1;
    }
    return NULL;
}

/* Any value, nested ones by counting brackets (no recursion: deep nesting cannot exhaust the stack). */
static const char *skip_value(const char *p, const char *end) {
    if (p >= end) return NULL;
    if (*p == '"') return skip_string(p, end);
    if (*p == '{' || *p == '[') {
        size_t depth = 0;
        while (p < end) {
            if (*p == '"') { p = skip_string(p, end); if (!p) return NULL; continue; }
            if (*p == '{' || *p == '[') depth++;
            else if (*p == '}' || *p == ']') { if (--depth == 0) return p + 1; }
            p++;
        }
        return NULL;
    }
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') p++;
    return p;
}

/* The value of member `key` of the object at `p` (NULL when absent or when the text is not an object). */
static const char *member(const char *p, const char *end, const char *key) {
    size_t klen = strlen(key);
    p = skip_ws(p, end);
    if (p >= end || *p != '{') return NULL;
    p = skip_ws(p + 1, end);
    while (p < end && *p == '"') {
        const char *k = p + 1, *after = skip_string(p, end);
        if (!after) return NULL;
        int match = (size_t)(after - 1 - k) == klen && memcmp(k, key, klen) == 0;
        p = skip_ws(after, end);
        if (p >= end || *p != ':') return NULL;
        p = skip_ws(p + 1, end);
        if (match) return p;
        p = skip_value(p, end);
        if (!p) return NULL;
        p = skip_ws(p, end);
        if (p < end && *p == ',') p = skip_ws(p + 1, end);
        else return NULL;
    }
    return NULL;
}

/* A JSON string value into out (simple escapes; \u only below 0x80). 0 ok, -1 not a string or not representable. */
static int string_value(const char *p, const char *end, char *out, size_t outsz) {
    if (!p || p >= end || *p != '"') return -1;
    size_t i = 0;
    for (p++; p < end && *p != '"'; p++) {
        char c = *p;
        if (c == '\\') {
            if (++p >= end) return -1;
            switch (*p) {
            case '"': case '\\': case '/': c = *p; break;
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u': {
                if (end - p < 5) return -1;
                char hex[5] = { p[1], p[2], p[3], p[4], 0 }, *e;
                long v = strtol(hex, &e, 16);
                if (*e || v <= 0 || v >= 0x80) return -1;
                c = (char)v; p += 4; break;
            }
            default: return -1;
            }
        } else if (c == 0) {
            return -1;
        }
        if (i + 1 >= outsz) return -1;
        out[i++] = c;
    }
    if (p >= end) return -1;
    out[i] = 0;
    return 0;
}

/* A positive number of seconds from JSON text or an environment value; -1 when it is not one. */
static double seconds(const char *p, const char *end) {
    char tmp[32];
    size_t n = 0;
    while (p + n < end && n + 1 < sizeof tmp && p[n] && strchr("0123456789.eE+-", p[n])) n++;
    if (n == 0) return -1;
    memcpy(tmp, p, n);
    tmp[n] = 0;
    char *e;
    double v = strtod(tmp, &e);
    return *e || !(v > 0) || v > 86400 ? -1 : v;
}

/* ---- I/O with a deadline ---- */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* Waits until fd is ready for `events` or the deadline passes: 0 ready, -1 error, -2 timeout. */
static int wait_fd(int fd, short events, double deadline) {
    for (;;) {
        double left = deadline - now();
        if (left <= 0) return -2;
        struct pollfd pfd = { .fd = fd, .events = events };
        int r = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r > 0) return 0;
    }
}

/* 0 ok, -1 error (errno), -2 timeout. */
static int write_full(int fd, const char *p, size_t n, double deadline) {
    while (n > 0) {
        int w = wait_fd(fd, POLLOUT, deadline);
        if (w) return w;
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (k <= 0) return -1;
        p += k; n -= (size_t)k;
    }
    return 0;
}

/* 0 ok, -1 error or EOF (errno 0 for EOF), -2 timeout. */
static int read_full(int fd, void *d, size_t n, double deadline) {
    char *p = d;
    while (n > 0) {
        int w = wait_fd(fd, POLLIN, deadline);
        if (w) return w;
        ssize_t r = recv(fd, p, n, MSG_DONTWAIT);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (r == 0) errno = 0;
        if (r <= 0) return -1;
        p += r; n -= (size_t)r;
    }
    return 0;
}

static int read_u32(int fd, uint32_t *v, double deadline) {
    unsigned char x[4];
    int r = read_full(fd, x, 4, deadline);
    if (r) return r;
    *v = ((uint32_t)x[0] << 24) | ((uint32_t)x[1] << 16) | ((uint32_t)x[2] << 8) | x[3];
    return 0;
}

/* One length-prefixed part into a fresh buffer (*out, *len). */
static int read_part(int fd, char **out, uint32_t *len, double deadline) {
    int r = read_u32(fd, len, deadline);
    if (r) return r;
    if (*len > MAX_PART) { errno = EPROTO; return -1; }
    *out = malloc(*len ? *len : 1);
    if (!*out) { errno = ENOMEM; return -1; }
    return read_full(fd, *out, *len, deadline);
}

static int write_all_out(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w; n -= (size_t)w;
    }
    return 0;
}

/* ---- settings ---- */

struct settings {
    char socket[4096];
    int socket_from_env;   /* which input to blame for a bad path: 4 (env) or 7 (config) */
    double connect_timeout, answer_timeout;
};

/* Config first (ipam section for the IPAM plugin), environment on top. Returns 0, or prints the error. */
static int resolve(const char *plugin, const char *in, size_t n, struct settings *s) {
    const char *end = in + n;
    const char *ipam = strcmp(plugin, "podnet-ipam") == 0 ? member(in, end, "ipam") : NULL;
    strcpy(s->socket, DEFAULT_SOCKET);
    s->socket_from_env = 0;
    s->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
    s->answer_timeout = DEFAULT_ANSWER_TIMEOUT;
    static const char *const keys[] = { "agentSocket", "agentConnectTimeout", "agentTimeout" };
    for (int k = 0; k < 3; k++) {
        const char *v = ipam ? member(ipam, end, keys[k]) : NULL;
        if (!v) v = member(in, end, keys[k]);
        if (!v) continue;
        char what[96];
        snprintf(what, sizeof what, "network config field %s", keys[k]);
        if (k == 0) {
            if (string_value(v, end, s->socket, sizeof s->socket) || !s->socket[0])
                return failed(CODE_CONFIG, "agentSocket must be a non-empty string (a unix socket path)", what);
        } else {
            double t = seconds(v, end);
            if (t < 0) return failed(CODE_CONFIG, "agent timeouts must be positive numbers of seconds (at most 86400)", what);
            if (k == 1) s->connect_timeout = t; else s->answer_timeout = t;
        }
    }
    const char *e = getenv("PODNET_AGENT_SOCKET");
    if (e && *e) {
        if (strlen(e) >= sizeof s->socket) return failed(CODE_ENV, "PODNET_AGENT_SOCKET is too long", e);
        strcpy(s->socket, e);
        s->socket_from_env = 1;
    }
    static const char *const envs[] = { "PODNET_AGENT_CONNECT_TIMEOUT", "PODNET_AGENT_TIMEOUT" };
    for (int k = 0; k < 2; k++) {
        const char *t = getenv(envs[k]);
        if (!t || !*t) continue;
        double v = seconds(t, t + strlen(t));
        if (v < 0) return failed(CODE_ENV, "agent timeouts must be positive numbers of seconds (at most 86400)", envs[k]);
        if (k == 0) s->connect_timeout = v; else s->answer_timeout = v;
    }
    return 0;
}

/* The top-level "cniVersion" string if it is a plain x.y.z; "" otherwise. */
static void cni_version(const char *in, size_t n) {
    char v[sizeof version];
    version[0] = 0;
    if (string_value(member(in, in + n, "cniVersion"), in + n, v, sizeof v)) return;
    for (char *c = v; *c; c++) if (!((*c >= '0' && *c <= '9') || *c == '.')) return;
    strcpy(version, v);
}

/* Connects with a timeout (AF_UNIX connect blocks while the listener's backlog is full). */
static int agent_connect(const struct settings *s, int unavailable) {
    char msg[4200];
    const char *src = s->socket_from_env ? "PODNET_AGENT_SOCKET" : "network config field agentSocket";
    int bad_path = s->socket_from_env ? CODE_ENV : CODE_CONFIG;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(s->socket) >= sizeof addr.sun_path) {
        snprintf(msg, sizeof msg, "podnet agent socket path is too long (%zu bytes, the limit is %zu): %s",
                 strlen(s->socket), sizeof addr.sun_path - 1, s->socket);
        return failed(bad_path, msg, src);
    }
    strcpy(addr.sun_path, s->socket);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return failed(CODE_IO, "cannot create a unix socket", strerror(errno));
    struct timeval tv = { .tv_sec = (time_t)s->connect_timeout,
                          .tv_usec = (suseconds_t)((s->connect_timeout - (time_t)s->connect_timeout) * 1e6) };
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int r;
    do r = connect(fd, (struct sockaddr *)&addr, sizeof addr); while (r < 0 && errno == EINTR);
    if (r == 0) return fd;
    int err = errno;
    close(fd);
    struct stat st;
    switch (err) {
    case EACCES: case EPERM:
        snprintf(msg, sizeof msg, "permission denied on the podnet agent socket %s (the plugin must run as root)", s->socket);
        return failed(CODE_IO, msg, strerror(err));
    case ENOTDIR: case ELOOP: case ENAMETOOLONG:
        snprintf(msg, sizeof msg, "the podnet agent socket path %s is not usable", s->socket);
        return failed(bad_path, msg, strerror(err));
    case ECONNREFUSED:
        if (stat(s->socket, &st) == 0 && !S_ISSOCK(st.st_mode)) {
            snprintf(msg, sizeof msg, "%s is not a unix socket (check %s)", s->socket, src);
            return failed(bad_path, msg, "not a socket");
        }
        snprintf(msg, sizeof msg, "podnet agent is not reachable at %s: nothing listens (agent stopped or crashed)", s->socket);
        return failed(unavailable, msg, strerror(err));
    case ENOENT:
        snprintf(msg, sizeof msg, "podnet agent is not reachable at %s: no such socket (agent not running, or %s names the wrong path)",
                 s->socket, src);
        return failed(unavailable, msg, strerror(err));
    case EAGAIN: case ETIMEDOUT:
        snprintf(msg, sizeof msg, "podnet agent is not reachable at %s: connect timed out after %g s (agent hung or overloaded)",
                 s->socket, s->connect_timeout);
        return failed(unavailable, msg, "agentConnectTimeout / PODNET_AGENT_CONNECT_TIMEOUT");
    default:
        snprintf(msg, sizeof msg, "podnet agent is not reachable at %s", s->socket);
        return failed(unavailable, msg, strerror(err));
    }
}

static int exchange_failed(int rc, const struct settings *s, int unavailable, const char *what) {
    char msg[4200], details[256];
    if (rc == -2) {
        snprintf(msg, sizeof msg, "podnet agent at %s did not answer within %g s (agent hung or overloaded)", s->socket, s->answer_timeout);
        return fail(unavailable, msg, "agentTimeout / PODNET_AGENT_TIMEOUT");
    }
    snprintf(msg, sizeof msg, "podnet agent at %s failed mid-request: %s", s->socket, what);
    snprintf(details, sizeof details, "%s", errno ? strerror(errno) : "connection closed");
    return fail(unavailable, msg, details);
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    const char *cmd = getenv("CNI_COMMAND");
    struct buf in = {0};
    static char chunk[65536];
    ssize_t r;
    int too_big = 0;
    while ((r = read(0, chunk, sizeof chunk)) != 0) {
        if (r < 0) { if (errno == EINTR) continue; return fail(CODE_IO, "failed to read stdin", strerror(errno)); }
        if (in.n + (size_t)r > MAX_PART) { too_big = 1; break; } /* stop reading: bounded memory and time */
        if (put(&in, chunk, (size_t)r)) return fail(CODE_IO, "out of memory reading stdin", "");
    }
    const char *text = in.p ? in.p : "";
    cni_version(text, in.n);
    if (too_big) return fail(CODE_CONFIG, "network config on stdin is larger than the 16 MiB limit", "stdin");
    if (cmd && strcmp(cmd, "VERSION") == 0) {
        printf("{\"cniVersion\":\"%s\",\"supportedVersions\":%s}", version[0] ? version : "1.1.0", SUPPORTED);
        return 0;
    }
    const char *plugin = argc > 1 ? argv[1] : (strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0]);
    struct settings s;
    if (resolve(plugin, text, in.n, &s)) return 1;
    int unavailable = cmd && strcmp(cmd, "STATUS") == 0 ? CODE_NOT_AVAILABLE : CODE_TRY_AGAIN;

    struct buf env = {0};
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, "CNI_", 4) == 0 && put(&env, *e, strlen(*e) + 1)) return fail(CODE_IO, "out of memory", "");
    }
    if (put(&env, "PODNET_PLUGIN=", 14) || put(&env, plugin, strlen(plugin) + 1)) return fail(CODE_IO, "out of memory", "");
    if (env.n > MAX_PART) return fail(CODE_ENV, "CNI_* environment is larger than the 16 MiB limit", "environment");

    struct buf frame = {0};
    if (put(&frame, "PNC1", 4) || put_u32(&frame, (uint32_t)env.n) || put(&frame, env.p, env.n)
        || put_u32(&frame, (uint32_t)in.n) || (in.n && put(&frame, in.p, in.n)))
        return fail(CODE_IO, "out of memory", "");

    int fd = agent_connect(&s, unavailable);
    if (fd < 0) return 1;
    double deadline = now() + s.answer_timeout;
    int rc = write_full(fd, frame.p, frame.n, deadline);
    if (rc) return exchange_failed(rc, &s, unavailable, "sending the request");

    /* The whole answer is read before anything is printed: a truncated answer prints one error, never two documents. */
    char magic[4], *out = NULL, *err = NULL;
    uint32_t exit_code, out_len, err_len;
    if ((rc = read_full(fd, magic, 4, deadline)) || (rc = read_u32(fd, &exit_code, deadline)))
        return exchange_failed(rc, &s, unavailable, "no answer (agent closed the connection)");
    if (memcmp(magic, "PNR1", 4)) { errno = EPROTO; return exchange_failed(-1, &s, unavailable, "bad answer frame"); }
    if ((rc = read_part(fd, &out, &out_len, deadline)) || (rc = read_part(fd, &err, &err_len, deadline)))
        return exchange_failed(rc, &s, unavailable, "truncated answer");
    close(fd);
    write_all_out(1, out, out_len);
    write_all_out(2, err, err_len);
    return (int)(exit_code & 0xff);
}
