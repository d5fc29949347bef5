"""The README's runnable blocks (a ```sh block right after `<!-- readme-test -->`) run, in order, in one
shell against a server started as `make run` starts it, so that the README cannot drift from the
server. `ORDINAUT_URL` points the blocks at the test's server; `ordinaut` is the binary under test."""
import json
import os
import re
import subprocess
import urllib.request

from conftest import ROOT, start_server, wait_for

MARKED = re.compile(r"^<!-- readme-test -->\n```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def marked_blocks() -> list[str]:
    return MARKED.findall((ROOT / "README.md").read_text())


def test_the_readme_marks_its_first_task():
    blocks = marked_blocks()
    assert len(blocks) >= 2, "the README lost its runnable blocks"
    assert any("/tasks" in block and "run_now" in block for block in blocks)


def test_readme_blocks_run_against_a_fresh_server(binary, tmp_path):
    server = start_server(binary)
    try:
        environment = dict(os.environ, ORDINAUT_URL=server.base, PATH=f"{binary.parent}:{os.environ['PATH']}",
                           ORDINAUT_DATA_DIR=str(tmp_path))
        environment.pop("ORDINAUT_TOKEN", None)
        script = "set -euo pipefail\n" + "\n".join(marked_blocks())
        done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"README blocks failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"

        def runs() -> list[dict]:
            with urllib.request.urlopen(f"{server.base}/runs") as answer:
                return json.load(answer)["items"]

        # The first task's run, queued by the README, ends; its one step published the greeting.
        finished = wait_for(lambda: [run for run in runs() if run["status"] in ("succeeded", "failed", "dead", "canceled")],
                            message="the README task's run to end")
        assert [run["status"] for run in finished] == ["succeeded"], finished
        read = subprocess.run([str(binary), "tools", "call", "--server", server.base, "ext.events_demo.read",
                               "--args", '{"stream": "hello"}'], env=environment, capture_output=True, text=True, timeout=60)
        assert read.returncode == 0, read.stderr
        assert "hello, world" in read.stdout
    finally:
        server.stop()
