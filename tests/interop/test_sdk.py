"""The official Python SDK drives the real binary over stdio and Streamable HTTP in all three modes."""
import pathlib
import sys

import pytest
from mcp import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

import scenario
from conftest import recording_client

MODES = ["legacy", "2026-07-28", "auto"]
PROXY = pathlib.Path(__file__).with_name("tee_proxy.py")


@pytest.mark.parametrize("mode", MODES)
async def test_stdio(binary, recorder, tmp_path, mode):
    log = tmp_path / "wire.log"
    params = StdioServerParameters(command=sys.executable,
                                   args=[str(PROXY), str(log), str(binary), "stdio", "--fixture", "conformance"])
    seen = await scenario.run(params, mode)
    scenario.check(seen)
    recorder.load_log(log)
    assert recorder.server, "no server messages were recorded"


@pytest.mark.parametrize("mode", MODES)
async def test_streamable_http(server, recorder, mode):
    async with recording_client(recorder) as http:
        seen = await scenario.run(streamable_http_client(server.url, http_client=http), mode)
    scenario.check(seen)
    assert recorder.server, "no server messages were recorded"
