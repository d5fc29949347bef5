#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing to a pipe or socket whose reader went away must fail with `EPIPE`, not kill the process:
/// a subprocess extension that exits, or a Redis server that restarts, are faults to recover from.
/// Libraries that write with plain `write(2)` (hiredis, pipes to children) call this before their
/// first write; it is idempotent.
public enum BrokenPipes {
    private static let ignored: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    public static func ignore() {
        _ = ignored
    }
}
