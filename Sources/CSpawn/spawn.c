// fork + prctl(PR_SET_PDEATHSIG) + setpgid + execve, which neither Foundation.Process nor
// posix_spawn can express. Between fork and execve the child calls only async-signal-safe functions.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ordinaut_spawn.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/// Reports `error` to the parent through the exec-status pipe and ends the child.
static void fail(int report, int error) {
    ssize_t ignored = write(report, &error, sizeof error);
    (void)ignored;
    _exit(127);
}

/// Marks every descriptor from 3 up close-on-exec (close_range on Linux 5.11+, else one by one).
static void close_others_on_exec(void) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
#endif
    struct rlimit limit;
    long top = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY ? (long)limit.rlim_cur : 65536;
    if (top > 65536) top = 65536;
    for (int fd = 3; fd < top; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static void child(const char *path, char *const argv[], char *const envp[], const char *directory,
                  const int fds[3], pid_t parent, int report) {
    if (setpgid(0, 0) != 0) fail(report, errno);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(report, errno);
    // The parent may have died between fork and prctl; then nobody will ever send the signal.
    if (getppid() != parent) _exit(127);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        struct sigaction standard = {0};
        standard.sa_handler = SIG_DFL;
        sigaction(sig, &standard, NULL);  // fails harmlessly on signals the C library reserves
    }
    for (int target = 0; target < 3; target++) {
        if (fds[target] == target) {
            if (fcntl(target, F_SETFD, 0) != 0) fail(report, errno);
        } else if (dup2(fds[target], target) < 0) {
            fail(report, errno);
        }
    }
    if (directory != NULL && chdir(directory) != 0) fail(report, errno);
    close_others_on_exec();
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    execve(path, argv, envp);
    fail(report, errno);
}

int ordinaut_cloexec_pipe(int fds[2]) {
    return pipe2(fds, O_CLOEXEC) == 0 ? 0 : -errno;
}

ssize_t ordinaut_write_nowait(int fd, const void *buffer, size_t count) {
    struct iovec vector = {.iov_base = (void *)buffer, .iov_len = count};
    ssize_t written = pwritev2(fd, &vector, 1, -1, RWF_NOWAIT);
    return written >= 0 ? written : -errno;
}

pid_t ordinaut_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
                     int stdin_fd, int stdout_fd, int stderr_fd) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return -errno;
    // No handler of ours may run in the child before execve: block every signal across fork.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    const int fds[3] = {stdin_fd, stdout_fd, stderr_fd};
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(report[0]);
        child(path, argv, envp, directory, fds, parent, report[1]);
    }
    int forkError = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(report[1]);
    if (pid < 0) {
        close(report[0]);
        return -forkError;
    }
    int error = 0;
    ssize_t count;
    do {
        count = read(report[0], &error, sizeof error);
    } while (count < 0 && errno == EINTR);
    close(report[0]);
    if (count == (ssize_t)sizeof error) {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
        return -error;
    }
    return pid;
}
