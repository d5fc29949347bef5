"""Subprocess extensions under `ordinaut stdio`, where the transport's own thread reads their answers
beside stdin (docs/architecture.md): through the official SDK's stdio client, concurrent calls to a
lazy extension each get their own answer, a child that floods notifications before answering neither
loses its answer nor stops the client's other requests, garbage on a child's stdout is skipped, a call
the child never answers times out while its other calls go on, and a child that crashes mid-call is an
error result, then restarts and answers again."""
import asyncio
import json
import os
import shutil
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from test_tasks import FIXTURES, work_extension


def extensions(root):
    work_extension(root, root / "work.log")  # lazy: started by its first call
    for mode, limits in (("crash", {}), ("flood", {}), ("garbage", {}), ("slow", {"call_timeout_seconds": 1})):
        folder = root / mode
        folder.mkdir()
        shutil.copy(FIXTURES / "misbehave.py", folder / "misbehave.py")
        (folder / "extension.json").write_text(json.dumps({
            "id": mode, "name": mode, "version": "1.0.0", "module": "misbehave.py", "args": [mode],
            "eager": True, "grants": ["TOOLS"], "limits": limits}))
    return root


def text(result):
    return result.content[0].text


async def test_subprocess_extensions_answer_through_the_stdio_thread(binary, tmp_path):
    root = extensions(tmp_path / "extensions")
    params = StdioServerParameters(command=str(binary), args=["stdio", "--log-level", "warning"], cwd=str(tmp_path),
                                   env=dict(os.environ, ORDINAUT_DATA_DIR=str(tmp_path / "data"), ORDINAUT_EXT_PATHS=str(root)))
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()

            calls = [session.call_tool("ext__work__work", {"key": f"k{n}", "ms": n % 3}) for n in range(30)]
            results = await asyncio.wait_for(asyncio.gather(*calls), 60)
            assert [r.structured_content for r in results] == [{"key": f"k{n}"} for n in range(30)]

            flood = asyncio.create_task(session.call_tool("ext__flood__flood", {}))
            await asyncio.wait_for(session.send_ping(), 30)
            echoed = await asyncio.wait_for(session.call_tool("ext__work__work", {"key": "during the flood"}), 30)
            assert echoed.structured_content == {"key": "during the flood"}
            flooded = await asyncio.wait_for(flood, 60)
            assert not flooded.is_error and text(flooded) == "ok from flood"

            garbled = await asyncio.wait_for(session.call_tool("ext__garbage__ok", {}), 30)
            assert not garbled.is_error and text(garbled) == "ok from garbage"

            unanswered = asyncio.create_task(session.call_tool("ext__slow__sleep", {}))
            answered = await asyncio.wait_for(session.call_tool("ext__slow__ok", {}), 30)
            assert not answered.is_error and text(answered) == "ok from slow"
            timed_out = await asyncio.wait_for(unanswered, 30)
            assert timed_out.is_error and "did not answer" in text(timed_out), text(timed_out)

            crashed = await asyncio.wait_for(session.call_tool("ext__crash__crash", {}), 30)
            assert crashed.is_error and "exited during the call" in text(crashed)
            deadline = time.monotonic() + 30
            while True:
                again = await asyncio.wait_for(session.call_tool("ext__crash__ok", {}), 30)
                if not again.is_error or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.2)
            assert not again.is_error and text(again) == "ok from crash", text(again)
