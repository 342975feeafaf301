/*
 * podnet-cni: the minimal native CNI plugin shim. Forwarding only; the same bytes as
 * io.podnet.cni.plugin.PluginMain / ShimFrames (see cni/README.md "Shim protocol"):
 *
 *   request  = "PNC1" u32 envLen env u32 stdinLen stdin     env = ("KEY=VALUE" NUL)*  (CNI_* + PODNET_PLUGIN)
 *   response = "PNR1" u32 exitCode u32 outLen out u32 errLen err   (u32 = big-endian)
 *
 * VERSION is answered locally. No agent: CNI error 11 (50 for STATUS) on stdout, exit 1.
 * Build: gcc -O2 -Wall -o podnet podnet-cni.c   (install as /opt/cni/bin/podnet and, as a copy or
 * symlink, /opt/cni/bin/podnet-ipam: the plugin name is argv[1] if given, else basename(argv[0])).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_PART (16u << 20)
#define SUPPORTED "[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]"

extern char **environ;

struct buf { char *p; size_t n, cap; };

static void put(struct buf *b, const void *d, size_t n) {
    if (b->n + n > b->cap) {
        size_t c = b->cap ? b->cap : 4096;
        while (c < b->n + n) c *= 2;
        char *q = realloc(b->p, c);
        if (!q) { perror("podnet-cni: realloc"); exit(1); }
        b->p = q; b->cap = c;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void put_u32(struct buf *b, uint32_t v) {
    unsigned char x[4] = { v >> 24, v >> 16, v >> 8, v };
    put(b, x, 4);
}

/* The top-level "cniVersion" string if it is a plain x.y.z; "" otherwise. */
static void cni_version(const char *in, size_t n, char *out, size_t outsz) {
    out[0] = 0;
    const char *k = memmem(in, n, "\"cniVersion\"", 12);
    if (!k) return;
    const char *p = k + 12, *end = in + n;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ':')) p++;
    if (p >= end || *p != '"') return;
    p++;
    size_t i = 0;
    while (p < end && *p != '"' && i + 1 < outsz) {
        if (!((*p >= '0' && *p <= '9') || *p == '.')) { out[0] = 0; return; }
        out[i++] = *p++;
    }
    if (p >= end || *p != '"') { out[0] = 0; return; }
    out[i] = 0;
}

static void json_escaped(const char *s) {
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20) printf("\\u%04x", *s);
        else putchar(*s);
    }
}

static int fail(int code, const char *msg, const char *details, const char *version) {
    printf("{\"cniVersion\":\"%s\",\"code\":%d,\"msg\":\"", version[0] ? version : "1.1.0", code);
    json_escaped(msg);
    printf("\",\"details\":\"");
    json_escaped(details);
    printf("\"}");
    fflush(stdout);
    return 1;
}

static int read_full(int fd, void *d, size_t n) {
    char *p = d;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        p += r; n -= (size_t)r;
    }
    return 0;
}

static int write_full(int fd, const void *d, size_t n) {
    const char *p = d;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w; n -= (size_t)w;
    }
    return 0;
}

static int read_u32(int fd, uint32_t *v) {
    unsigned char x[4];
    if (read_full(fd, x, 4)) return -1;
    *v = ((uint32_t)x[0] << 24) | ((uint32_t)x[1] << 16) | ((uint32_t)x[2] << 8) | x[3];
    return 0;
}

/* Reads one length-prefixed part and copies it to out_fd. */
static int relay_part(int fd, int out_fd) {
    uint32_t len;
    if (read_u32(fd, &len) || len > MAX_PART) return -1;
    char *d = malloc(len ? len : 1);
    if (!d || read_full(fd, d, len)) { free(d); return -1; }
    int rc = write_full(out_fd, d, len);
    free(d);
    return rc;
}

int main(int argc, char **argv) {
    const char *cmd = getenv("CNI_COMMAND");
    struct buf in = {0};
    char chunk[65536];
    ssize_t r;
    while ((r = read(0, chunk, sizeof chunk)) != 0) {
        if (r < 0) { if (errno == EINTR) continue; return fail(5, "failed to read stdin", strerror(errno), ""); }
        put(&in, chunk, (size_t)r);
    }
    char version[32];
    cni_version(in.p ? in.p : "", in.n, version, sizeof version);
    if (cmd && strcmp(cmd, "VERSION") == 0) {
        printf("{\"cniVersion\":\"%s\",\"supportedVersions\":%s}", version[0] ? version : "1.1.0", SUPPORTED);
        return 0;
    }
    const char *sock = getenv("PODNET_AGENT_SOCKET");
    if (!sock || !*sock) sock = "/run/podnet/cni.sock";
    const char *plugin = argc > 1 ? argv[1] : (strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0]);

    struct buf env = {0};
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, "CNI_", 4) == 0) put(&env, *e, strlen(*e) + 1);
    }
    put(&env, "PODNET_PLUGIN=", 14);
    put(&env, plugin, strlen(plugin) + 1);

    struct buf frame = {0};
    put(&frame, "PNC1", 4);
    put_u32(&frame, (uint32_t)env.n);
    put(&frame, env.p, env.n);
    put_u32(&frame, (uint32_t)in.n);
    if (in.n) put(&frame, in.p, in.n);

    int unavailable = cmd && strcmp(cmd, "STATUS") == 0 ? 50 : 11;
    char msg[256];
    snprintf(msg, sizeof msg, "podnet agent is not reachable at %s", sock);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(sock) >= sizeof addr.sun_path) return fail(unavailable, msg, "socket path too long", version);
    strcpy(addr.sun_path, sock);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) return fail(unavailable, msg, strerror(errno), version);
    if (write_full(fd, frame.p, frame.n)) return fail(unavailable, msg, "write to agent failed", version);

    char magic[4];
    uint32_t exit_code;
    if (read_full(fd, magic, 4) || memcmp(magic, "PNR1", 4) || read_u32(fd, &exit_code))
        return fail(unavailable, msg, "agent closed the connection or sent a bad frame", version);
    /* stdout then stderr, written as they arrive; a short read here means a dead agent mid-answer. */
    if (relay_part(fd, 1) || relay_part(fd, 2)) return fail(unavailable, msg, "truncated answer from agent", version);
    close(fd);
    return (int)(exit_code & 0xff);
}
