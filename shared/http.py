"""What every HTTP request passes before any route reads it."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import problem_response


class RequestGuard:
    """Refuses a request body over ``max_bytes`` (413), by its declared length or as it streams in, and a path,
    query or JSON body holding text no database stores faithfully — NUL characters, unpaired surrogates (422) — so
    that such text is a clear refusal rather than a failure deep in a read or write. (CloudEvents bodies are
    judged event by event instead.)
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b""):
            # PostgreSQL text holds no NUL: a path or query naming one could name nothing stored.
            problem = "the path or query holds a NUL character (%00), which no name or value may hold"
            await problem_response(None, 422, problem, "invalid-request")(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        media_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if media_type == b"application/json":
            await self._checked_json(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge:
            await self._too_large(scope, receive, send)

    async def _checked_json(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        problem = _unstorable_text(body)
        if problem is not None:
            await problem_response(None, 422, problem, "invalid-request")(scope, receive, send)
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()  # what follows the body: a disconnect
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = f"{self.max_bytes // (1024 * 1024)} MiB" if self.max_bytes >= 1024 * 1024 else f"{self.max_bytes} bytes"
        await problem_response(None, 413, f"the request body is over {limit}; split it")(scope, receive, send)


class _TooLarge(Exception):
    pass


def _unstorable_text(body: bytes) -> str | None:
    """Why the JSON text cannot be stored as sent, or None (a body that is not JSON is the route's to refuse)."""
    try:
        document = json.loads(body)
    except ValueError:
        return None
    for text in _strings(document):
        if "\x00" in text:
            return "the body holds a NUL character (\\u0000), which no text field may hold"
        try:
            text.encode()
        except UnicodeEncodeError:
            return "the body holds an unpaired surrogate (\\ud800-\\udfff), which is not valid Unicode text"
    return None


def _strings(value: Any) -> Any:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
