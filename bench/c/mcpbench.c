/*
 * mcpbench: the load generator and the physical-limit probes for Ordinaut's benchmarks.
 *
 *   mcpbench stdio INFLIGHT CALLS SECONDS -- COMMAND...   tools/call "echo" round trips over stdio
 *                                                         (MCPBENCH_TOOL names another tool)
 *   mcpbench pipe-echo INFLIGHT CALLS SECONDS [CPU]       the same traffic against a C line echo (the limit),
 *                                                         its echo process pinned to CPU when given
 *   mcpbench coldstart RUNS -- COMMAND...                 exec -> first initialize answer, median of RUNS
 *   mcpbench relay -- COMMAND...                          a host that does nothing but pass bytes: its stdin
 *                                                         to COMMAND's stdin, COMMAND's stdout to its stdout
 *                                                         (the limit of any process between client and server)
 *
 * Every mode prints one JSON object. A run with any error response is reported as void.
 * Loops stop by themselves: after CALLS answers or SECONDS, whichever comes first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *INIT =
    "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
    "\"capabilities\":{},\"clientInfo\":{\"name\":\"mcpbench\",\"version\":\"1\"}}}\n";
static const char *INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n";
static const char *TEXT = "0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghij";

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

typedef struct {
    pid_t pid;
    int to_child;
    int from_child;
    char buffer[1 << 16];
    size_t start, end;
} peer_t;

static void spawn(peer_t *peer, char **argv) {
    int in[2], out[2];
    if (pipe(in) || pipe(out)) { perror("pipe"); exit(2); }
    peer->pid = fork();
    if (peer->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        int null = open("/dev/null", 1);
        if (null >= 0) dup2(null, 2);
        close(in[1]); close(out[0]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(in[0]); close(out[1]);
    peer->to_child = in[1];
    peer->from_child = out[0];
    peer->start = peer->end = 0;
}

static void write_all(int fd, const char *data, size_t length) {
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0) { if (errno == EINTR) continue; perror("write"); exit(2); }
        data += n; length -= (size_t)n;
    }
}

/* Reads one line; returns its length (without the newline) or -1 at end of input. */
static ssize_t read_line(peer_t *peer, char **line) {
    for (;;) {
        char *newline = memchr(peer->buffer + peer->start, '\n', peer->end - peer->start);
        if (newline) {
            *line = peer->buffer + peer->start;
            ssize_t length = newline - *line;
            peer->start += (size_t)length + 1;
            return length;
        }
        if (peer->start > 0) {
            memmove(peer->buffer, peer->buffer + peer->start, peer->end - peer->start);
            peer->end -= peer->start;
            peer->start = 0;
        }
        if (peer->end == sizeof(peer->buffer)) { fprintf(stderr, "line too long\n"); exit(2); }
        ssize_t n = read(peer->from_child, peer->buffer + peer->end, sizeof(peer->buffer) - peer->end);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        peer->end += (size_t)n;
    }
}

static long cpu_ticks(pid_t pid) {
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    char *p = strrchr(text, ')');
    if (!p) return -1;
    long utime = 0, stime = 0;
    /* fields after ')': state(3) ... utime(14) stime(15) */
    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &utime, &stime);
    return utime + stime;
}

static long rss_kib(pid_t pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long value = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0) { value = atol(line + 6); break; }
    }
    fclose(f);
    return value;
}

static int make_call(char *out, size_t size, long id) {
    static const char *tool;
    if (!tool) tool = getenv("MCPBENCH_TOOL") ? getenv("MCPBENCH_TOOL") : "echo";
    return snprintf(out, size,
                    "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\",\"params\":{\"name\":\"%s\","
                    "\"arguments\":{\"text\":\"%s\"}}}\n", id, tool, TEXT);
}

static void finish(peer_t *peer) {
    close(peer->to_child);
    int status;
    for (int i = 0; i < 200; i++) {
        if (waitpid(peer->pid, &status, WNOHANG) == peer->pid) return;
        usleep(10000);
    }
    kill(peer->pid, SIGKILL);
    waitpid(peer->pid, &status, 0);
}

static int run_calls(peer_t *peer, int inflight, long calls, double seconds, int handshake, const char *label) {
    char *line;
    char request[512];
    if (handshake) {
        write_all(peer->to_child, INIT, strlen(INIT));
        if (read_line(peer, &line) < 0) { fprintf(stderr, "no initialize answer\n"); return 2; }
        write_all(peer->to_child, INITIALIZED, strlen(INITIALIZED));
    }
    long warmup = calls / 10 < 2000 ? calls / 10 : 2000;
    long sent = 0, received = 0, errors = 0;
    double started = 0;
    long cpu_start = 0, rss_idle = rss_kib(peer->pid);
    for (; sent < inflight && sent < calls + warmup; sent++) {
        int n = make_call(request, sizeof request, sent + 1);
        write_all(peer->to_child, request, (size_t)n);
    }
    double deadline = now() + seconds + 30;
    while (received < calls + warmup) {
        ssize_t length = read_line(peer, &line);
        if (length < 0) { fprintf(stderr, "%s: peer closed after %ld answers\n", label, received); return 2; }
        if (handshake && (length < 8 || memmem(line, (size_t)length, "\"id\"", 4) == NULL)) continue; /* a notification */
        if (memmem(line, (size_t)length, "\"error\"", 7) != NULL || memmem(line, (size_t)length, "\"isError\":true", 14) != NULL) errors++;
        received++;
        if (received == warmup) {
            started = now();
            cpu_start = cpu_ticks(peer->pid);
            deadline = started + seconds;
        }
        if (received > warmup && now() > deadline) break;
        if (sent < calls + warmup) {
            int n = make_call(request, sizeof request, sent + 1);
            write_all(peer->to_child, request, (size_t)n);
            sent++;
        }
    }
    double elapsed = now() - started;
    long measured = received - warmup;
    long cpu = cpu_ticks(peer->pid) - cpu_start;
    long rss_busy = rss_kib(peer->pid);
    double tick = (double)sysconf(_SC_CLK_TCK);
    printf("{\"label\":\"%s\",\"inflight\":%d,\"calls\":%ld,\"seconds\":%.4f,\"calls_per_s\":%.1f,"
           "\"server_cpu_us_per_call\":%.2f,\"errors\":%ld,\"void\":%s,\"rss_kib_idle\":%ld,\"rss_kib_after\":%ld}\n",
           label, inflight, measured, elapsed, measured / elapsed, cpu / tick * 1e6 / (measured ? measured : 1), errors,
           errors ? "true" : "false", rss_idle, rss_busy);
    finish(peer);
    return 0;
}

/* The limit: a child that echoes every line back, as cheaply as a process can. */
static int echo_child(const char *cpu) {
    static char buffer[1 << 16];
    if (cpu) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(atoi(cpu), &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) { perror("sched_setaffinity"); return 2; }
    }
    for (;;) {
        ssize_t n = read(0, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        write_all(1, buffer, (size_t)n);
    }
}

/* Copies what is readable on `from` to `to`; returns 0 at end of input. */
static int pass(int from, int to) {
    static char buffer[1 << 16];
    ssize_t n = read(from, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) return 1;
    if (n <= 0) return 0;
    write_all(to, buffer, (size_t)n);
    return 1;
}

static int relay(char **argv) {
    peer_t child;
    spawn(&child, argv);
    struct pollfd fds[2] = {{.fd = 0, .events = POLLIN}, {.fd = child.from_child, .events = POLLIN}};
    for (;;) {
        if (poll(fds, 2, -1) < 0) { if (errno == EINTR) continue; perror("poll"); return 2; }
        if (fds[0].revents && !pass(0, child.to_child)) break;
        if (fds[1].revents && !pass(child.from_child, 1)) break;
    }
    close(child.to_child);
    waitpid(child.pid, NULL, 0);
    return 0;
}

static int coldstart(int runs, char **argv) {
    double samples[256];
    if (runs > 256) runs = 256;
    for (int i = 0; i < runs; i++) {
        peer_t peer;
        double started = now();
        spawn(&peer, argv);
        write_all(peer.to_child, INIT, strlen(INIT));
        char *line;
        if (read_line(&peer, &line) < 0) { fprintf(stderr, "no answer\n"); return 2; }
        samples[i] = now() - started;
        finish(&peer);
    }
    for (int i = 0; i < runs; i++)
        for (int j = i + 1; j < runs; j++)
            if (samples[j] < samples[i]) { double t = samples[i]; samples[i] = samples[j]; samples[j] = t; }
    printf("{\"label\":\"coldstart\",\"runs\":%d,\"median_ms\":%.3f,\"min_ms\":%.3f,\"max_ms\":%.3f}\n", runs,
           samples[runs / 2] * 1e3, samples[0] * 1e3, samples[runs - 1] * 1e3);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "echo-child") == 0) return echo_child(argc >= 3 ? argv[2] : NULL);
    if (argc >= 6 && strcmp(argv[1], "stdio") == 0 && strcmp(argv[5], "--") == 0) {
        peer_t peer;
        spawn(&peer, argv + 6);
        return run_calls(&peer, atoi(argv[2]), atol(argv[3]), atof(argv[4]), 1, "stdio");
    }
    if (argc >= 5 && strcmp(argv[1], "pipe-echo") == 0) {
        char *child[] = {argv[0], "echo-child", argc >= 6 ? argv[5] : NULL, NULL};
        peer_t peer;
        spawn(&peer, child);
        return run_calls(&peer, atoi(argv[2]), atol(argv[3]), atof(argv[4]), 0, "pipe-echo");
    }
    if (argc >= 5 && strcmp(argv[1], "coldstart") == 0 && strcmp(argv[3], "--") == 0) return coldstart(atoi(argv[2]), argv + 4);
    if (argc >= 4 && strcmp(argv[1], "relay") == 0 && strcmp(argv[2], "--") == 0) return relay(argv + 3);
    fprintf(stderr, "usage: mcpbench stdio|pipe-echo|coldstart|relay ... (see the comment at the top of mcpbench.c)\n");
    return 2;
}
