#ifndef ORDINAUT_SPAWN_H
#define ORDINAUT_SPAWN_H
#include <sys/types.h>

/// Starts `path` (argv, envp: NULL-terminated) in `directory` with the three descriptors as its
/// stdin, stdout and stderr, in a process group of its own, with SIGKILL as its parent-death
/// signal, every other descriptor closed and default signal dispositions. Returns the child's pid,
/// or -errno when fork, the child's setup or execve failed (the child is then reaped).
///
/// The parent-death signal fires when the *thread* that calls this exits, not the process: call it
/// from a thread that outlives the child (OrdinautIO's ChildProcess forks from the thread that
/// then waits for the child).
pid_t ordinaut_spawn(const char *path, char *const argv[], char *const envp[], const char *directory,
                     int stdin_fd, int stdout_fd, int stderr_fd);

/// pipe2(fds, O_CLOEXEC), which Swift's Glibc module does not show (it needs _GNU_SOURCE): a pipe
/// whose ends no other child inherits. Returns 0, or -errno.
int ordinaut_cloexec_pipe(int fds[2]);

/// pwritev2(fd, {buffer, count}, 1, -1, RWF_NOWAIT), also hidden behind _GNU_SOURCE: a write that
/// fails with EAGAIN instead of blocking, without making the descriptor non-blocking for whoever else
/// shares it. Returns the bytes written, or -errno (-EOPNOTSUPP where the kernel does not offer it).
ssize_t ordinaut_write_nowait(int fd, const void *buffer, size_t count);

#endif
