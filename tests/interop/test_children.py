"""Subprocess extensions die with the host: a `kill -9` of ordinaut takes its extension processes
down (parent-death signal), and what they started in their process group is reaped at the next
start (records in the data directory). The fixture ignores SIGTERM and end of input."""
import json
import os
import pathlib
import shutil
import signal

from conftest import start_server, wait_for

FIXTURES = pathlib.Path(__file__).with_name("fixtures")


def stubborn_extension(root: pathlib.Path, pids: pathlib.Path) -> pathlib.Path:
    folder = root / "stubborn"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "stubborn.py", folder / "stubborn.py")
    (folder / "extension.json").write_text(json.dumps({
        "id": "stubborn", "name": "stubborn", "version": "1.0.0", "module": "stubborn.py", "grants": ["TOOLS"], "eager": True,
        "limits": {"shutdown_timeout_seconds": 1}, "env": {"STUBBORN_PIDS": str(pids)},
    }))
    return root


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for a parent that does not reap it counts as dead)."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def read_pids(path: pathlib.Path) -> list[int]:
    return [int(p) for p in wait_for(lambda: path.exists() and path.read_text().split(), message="the extension's pids")]


def test_a_killed_host_takes_its_extensions_down_and_the_next_start_reaps_their_leftovers(binary, tmp_path):
    pids_file = tmp_path / "pids"
    env = {"ORDINAUT_EXT_PATHS": str(stubborn_extension(tmp_path / "ext", pids_file)), "ORDINAUT_DATA_DIR": str(tmp_path / "data")}
    first = start_server(binary, env=env)
    child, helper = read_pids(pids_file)
    started = [child, helper]
    try:
        assert os.getpgid(child) == child, "the extension leads a process group of its own"
        assert os.getpgid(helper) == child
        first.process.send_signal(signal.SIGKILL)
        first.process.wait()
        wait_for(lambda: not alive(child), timeout=10, message="the extension to die with its host")
        # The helper is not the host's child: only the record left in the data directory can find it.
        assert alive(helper), "the helper should have outlived the host (else this test proves nothing)"
        pids_file.unlink()
        second = start_server(binary, env=env)
        try:
            wait_for(lambda: not alive(helper), timeout=10, message="the next start to reap the leftover helper")
            started += read_pids(pids_file)
        finally:
            second.stop()
        # A clean stop kills the extension, which ignores SIGTERM, and what it left in its group.
        wait_for(lambda: not any(alive(pid) for pid in started[2:]), timeout=10, message="a clean stop to end the group")
    finally:
        for pid in started:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
