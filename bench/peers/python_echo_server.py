"""The peer: the official Python SDK's MCPServer with the same echo tool Ordinaut's bench fixture has.

Usage: python python_echo_server.py stdio
       python python_echo_server.py http PORT     (Streamable HTTP, stateless, JSON responses)
"""
import sys

from mcp.server.mcpserver import MCPServer

server = MCPServer("python-echo")


@server.tool()
def echo(text: str) -> str:
    """Returns its text argument."""
    return text


if __name__ == "__main__":
    if sys.argv[1] == "stdio":
        server.run()
    else:
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]), json_response=True, stateless_http=True)
