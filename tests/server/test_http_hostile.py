"""The sandbox's HTTP servers (control API, media) answer hostile requests with a clear 4xx."""

from __future__ import annotations

import asyncio

from botkit.server.app import Sandbox

_ANSWER_WITHIN = 5.0


async def _exchange(url: str, request: bytes) -> bytes:
    """Send ``request`` (possibly without its body) to ``url``; return the whole answer."""
    host, _, port = url.split("://")[1].partition(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(request)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), _ANSWER_WITHIN)
    finally:
        writer.close()


async def test_a_request_head_too_large_is_answered_431(sandbox: Sandbox) -> None:
    head = b"GET /control/devices/1 HTTP/1.1\r\nX-Junk: " + b"a" * 70_000 + b"\r\n\r\n"
    for url in (sandbox.control_url, sandbox.media_url):
        answer = await _exchange(url, head)
        assert answer.startswith(b"HTTP/1.1 431 "), answer[:80]
        assert b'"error"' in answer


async def test_an_upload_with_bad_auth_is_refused_before_its_body_is_sent(
    sandbox: Sandbox,
) -> None:
    # The client announces 1 MiB and sends none of it: the refusal must not wait for the body.
    answer = await _exchange(
        sandbox.media_url,
        b"POST /mms/image/abc?auth=wrong HTTP/1.1\r\nContent-Length: 1048576\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 401 "), answer[:80]
    assert sandbox.media.blobs == {}


async def test_media_paths_outside_the_store_are_not_found(sandbox: Sandbox) -> None:
    for path in ("/v/t62.7118-24/../../world.json", "/../server_keys.json", "/mms/../x"):
        answer = await _exchange(sandbox.media_url, f"GET {path} HTTP/1.1\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.1 404 "), (path, answer[:80])
