"""Runs a command with its stdio passed through, recording every line in both directions.

Usage: python tee_proxy.py LOGFILE COMMAND [ARGS...]

Lines from the client are logged as "C <line>", lines from the server as "S <line>", so that a test
can validate exactly what went over the wire.
"""
import subprocess
import sys
import threading


def main() -> int:
    log_path, command = sys.argv[1], sys.argv[2:]
    log = open(log_path, "a", buffering=1, encoding="utf-8", errors="replace")
    lock = threading.Lock()
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def record(tag: str, line: bytes) -> None:
        with lock:
            log.write(tag + " " + line.decode("utf-8", "replace").rstrip("\n") + "\n")

    def pump_in() -> None:
        for line in sys.stdin.buffer:
            record("C", line)
            try:
                child.stdin.write(line)
                child.stdin.flush()
            except BrokenPipeError:
                break
        try:
            child.stdin.close()
        except BrokenPipeError:
            pass

    threading.Thread(target=pump_in, daemon=True).start()
    for line in child.stdout:
        record("S", line)
        sys.stdout.buffer.write(line)
        sys.stdout.buffer.flush()
    return child.wait()


if __name__ == "__main__":
    sys.exit(main())
