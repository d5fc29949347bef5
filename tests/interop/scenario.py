"""One conversation that exercises the whole conformance fixture through the official Python SDK."""
import base64

from mcp import Client
from mcp_types import CreateMessageResult, ElicitResult, TextContent

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def sampling(context, params) -> CreateMessageResult:
    prompt = params.messages[0].content.text
    return CreateMessageResult(role="assistant", content=TextContent(type="text", text=f"echo of {prompt}"),
                               model="test-model", stopReason="endTurn")


async def elicitation(context, params) -> ElicitResult:
    return ElicitResult(action="accept", content={"username": "ada", "email": "ada@example.com"})


async def run(target, mode: str) -> dict:
    """Drives every fixture feature; returns what the tests assert on."""
    logs = []
    progress = []

    async def on_log(params) -> None:
        logs.append(params.data)

    seen = {}
    async with Client(target, mode=mode, sampling_callback=sampling, elicitation_callback=elicitation,
                      logging_callback=on_log, log_level="info", cache=None) as client:
        tools = await client.list_tools()
        seen["tools"] = sorted(t.name for t in tools.tools)
        seen["simple"] = (await client.call_tool("test_simple_text", {})).content[0].text
        image = (await client.call_tool("test_image_content", {})).content[0]
        seen["image_is_png"] = base64.b64decode(image.data).startswith(PNG_MAGIC) and image.mime_type == "image/png"
        audio = (await client.call_tool("test_audio_content", {})).content[0]
        seen["audio_is_wav"] = base64.b64decode(audio.data)[:4] == b"RIFF" and audio.mime_type == "audio/wav"
        seen["embedded"] = (await client.call_tool("test_embedded_resource", {})).content[0].resource.text
        seen["mixed"] = [c.type for c in (await client.call_tool("test_multiple_content_types", {})).content]
        seen["error"] = (await client.call_tool("test_error_handling", {})).is_error
        seen["sampling"] = (await client.call_tool("test_sampling", {"prompt": "capital of France?"})).content[0].text
        seen["elicitation"] = (await client.call_tool("test_elicitation", {"message": "who are you?"})).content[0].text
        await client.call_tool("test_tool_with_logging", {})
        seen["logs"] = list(logs)

        async def on_progress(value, total, message) -> None:
            progress.append(value)

        await client.call_tool("test_tool_with_progress", {}, progress_callback=on_progress)
        seen["progress"] = list(progress)
        invalid = await client.call_tool("test_sampling", {"prompt": 42})
        seen["invalid_is_error"] = invalid.is_error
        resources = await client.list_resources()
        seen["resources"] = sorted(r.uri for r in resources.resources)
        templates = await client.list_resource_templates()
        seen["templates"] = [t.uri_template for t in templates.resource_templates]
        seen["static_text"] = (await client.read_resource("test://static-text")).contents[0].text
        blob = (await client.read_resource("test://static-binary")).contents[0].blob
        seen["binary_is_png"] = base64.b64decode(blob).startswith(PNG_MAGIC)
        seen["template"] = (await client.read_resource("test://template/42/data")).contents[0].text
        prompts = await client.list_prompts()
        seen["prompts"] = sorted(p.name for p in prompts.prompts)
        seen["prompt_args"] = (await client.get_prompt("test_prompt_with_arguments", {"arg1": "red", "arg2": "blue"})).messages[0].content.text
        embedded = await client.get_prompt("test_prompt_with_embedded_resource", {"resourceUri": "test://static-text"})
        seen["prompt_embedded"] = embedded.messages[0].content.resource.uri
        seen["prompt_image"] = (await client.get_prompt("test_prompt_with_image", {})).messages[0].content.type
        completion = await client.complete({"type": "ref/prompt", "name": "test_prompt_with_arguments"},
                                           {"name": "arg1", "value": "r"})
        seen["completion"] = completion.completion.values
    return seen


def check(seen: dict) -> None:
    assert {"test_simple_text", "test_sampling", "test_elicitation", "test_tool_with_progress"} <= set(seen["tools"])
    assert seen["simple"] == "This is a simple text response for testing."
    assert seen["image_is_png"] and seen["audio_is_wav"] and seen["binary_is_png"]
    assert seen["embedded"] == "This is an embedded resource content."
    assert seen["mixed"] == ["text", "image", "resource"]
    assert seen["error"] is True
    assert seen["sampling"] == "LLM response: echo of capital of France?"
    assert seen["elicitation"].startswith("User response: action=accept")
    assert "ada@example.com" in seen["elicitation"]
    assert seen["logs"] == ["Tool execution started", "Tool processing data", "Tool execution completed"]
    assert seen["progress"] == [0, 50, 100]
    assert seen["invalid_is_error"] is True
    assert seen["resources"] == ["test://static-binary", "test://static-text", "test://watched-resource"]
    assert seen["templates"] == ["test://template/{id}/data"]
    assert seen["static_text"] == "This is the content of the static text resource."
    assert '"id":"42"' in seen["template"]
    assert seen["prompts"] == ["test_prompt_with_arguments", "test_prompt_with_embedded_resource",
                               "test_prompt_with_image", "test_simple_prompt"]
    assert seen["prompt_args"] == "Prompt with arguments: arg1='red', arg2='blue'"
    assert seen["prompt_embedded"] == "test://static-text"
    assert seen["prompt_image"] == "image"
    assert seen["completion"] == ["red"]
