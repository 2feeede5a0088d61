"""The limit on a request's header section, over real sockets, with both of uvicorn's parsers.

A header section (request line, header lines, the empty line, line ends included) of up to
``PMO_GRAPH_MAX_HEADER_BYTES`` bytes and ``PMO_GRAPH_MAX_HEADER_FIELDS`` fields is answered; one
byte or one field more is answered 431 with a coded error and the connection closed, and the
server goes on serving. A 64 MB header costs the serving process no memory to speak of.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
import pytest
from starlette.applications import Starlette
from test_serve import _free_port, _wait_ready

from pmo_graph.app_state import AppState
from pmo_graph.auth.roles import Role
from pmo_graph.settings import HttpParser
from pmo_graph.testing import TestOrganisation, postgres_schema, serving

PARSERS: list[HttpParser] = ["httptools", "h11"]
#: Seconds to wait for an answer (a timeout for the event, not a pause).
ANSWER_WAIT = 60.0
MiB = 1024 * 1024


@dataclass
class Answer:
    """One HTTP response read off a socket."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)


def request(
    size: int,
    *,
    path: str = "/healthz",
    fields: int = 2,
    method: str = "GET",
    extra: Iterable[str] = (),
    body: bytes = b"",
) -> bytes:
    """A request whose header section is exactly ``size`` bytes in ``fields`` header fields
    (the last one padded to the size), followed by ``body``."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *extra]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    lines += [f"X-Field-{n}: {n}" for n in range(fields - len(lines))]
    head = "".join(f"{line}\r\n" for line in lines)
    pad = size - len(head) - len("X-Pad: \r\n") - len("\r\n")
    assert pad >= 0, "no room for the padding field"
    return f"{head}X-Pad: {'p' * pad}\r\n\r\n".encode() + body


async def read_answer(reader: asyncio.StreamReader) -> Answer:
    """The next response on ``reader`` (with a ``content-length``)."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), ANSWER_WAIT)
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in header_lines if line)
    }
    length = int(headers["content-length"])
    body = await asyncio.wait_for(reader.readexactly(length), ANSWER_WAIT)
    return Answer(int(status_line.split()[1]), headers, body)


async def closed(reader: asyncio.StreamReader) -> bool:
    """Whether the server closes the connection (rather than keep it for another request)."""
    try:
        return await asyncio.wait_for(reader.read(1), ANSWER_WAIT) == b""
    except ConnectionResetError:
        return True


@asynccontextmanager
async def connection(url: str) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    parts = urlsplit(url)
    assert parts.hostname is not None
    assert parts.port is not None
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        yield reader, writer
    finally:
        writer.close()
        with suppress(ConnectionError):
            await writer.wait_closed()


async def exchange(url: str, data: bytes, piece: int | None = None) -> tuple[Answer, bool]:
    """Send ``data`` on a new connection (in pieces of ``piece`` bytes, each written on its
    own, if given); the answer, and whether the server then closed the connection."""
    async with connection(url) as (reader, writer):
        step = piece or len(data)
        for start in range(0, len(data), step):
            writer.write(data[start : start + step])
            await writer.drain()
        answer = await read_answer(reader)
        return answer, await closed(reader)


def _assert_refused(answer: Answer, limit: str, maximum: int) -> None:
    assert answer.status == 431
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["connection"] == "close"
    (error,) = answer.json()["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": limit, "maximum": maximum}
    assert str(maximum) in error["message"]


def _assert_healthy(answer: Answer) -> None:
    assert answer.status == 200, answer
    assert answer.json() == {"status": "ok"}


@pytest.fixture(params=PARSERS)
async def served(request: pytest.FixtureRequest, pmo_app: Starlette) -> AsyncIterator[str]:
    """The session's app on a real socket, parsed by each of uvicorn's parsers."""
    async with serving(pmo_app, http=request.param) as url:
        yield url


async def test_a_header_section_at_the_limit_is_answered_and_one_byte_more_is_refused(
    served: str, pmo_state: AppState
) -> None:
    limit = pmo_state.settings.max_header_bytes
    for size in (limit - 1, limit):
        answer, _ = await exchange(served, request(size))
        _assert_healthy(answer)
    answer, was_closed = await exchange(served, request(limit + 1))
    _assert_refused(answer, "headerBytes", limit)
    assert was_closed
    _assert_healthy((await exchange(served, request(200)))[0])


async def test_the_limit_holds_for_headers_that_arrive_in_pieces(
    served: str, pmo_state: AppState
) -> None:
    limit = pmo_state.settings.max_header_bytes
    answer, _ = await exchange(served, request(limit), piece=1000)
    _assert_healthy(answer)
    answer, was_closed = await exchange(served, request(limit + 1), piece=1000)
    _assert_refused(answer, "headerBytes", limit)
    assert was_closed
    # The end of the section split between two pieces is found.
    split_end = request(limit)
    answer, _ = await exchange(served, split_end, piece=len(split_end) - 2)
    _assert_healthy(answer)


async def test_more_header_fields_than_the_limit_are_refused(
    served: str, pmo_state: AppState
) -> None:
    most = pmo_state.settings.max_header_fields
    _assert_healthy((await exchange(served, request(8000, fields=most)))[0])
    answer, was_closed = await exchange(served, request(8000, fields=most + 1))
    _assert_refused(answer, "headerFields", most)
    assert was_closed


async def test_each_request_of_a_kept_alive_connection_has_the_whole_limit(
    served: str, pmo_state: AppState
) -> None:
    limit = pmo_state.settings.max_header_bytes
    async with connection(served) as (reader, writer):
        for _ in range(3):
            writer.write(request(limit))
            _assert_healthy(await read_answer(reader))
        writer.write(request(limit + 1))
        _assert_refused(await read_answer(reader), "headerBytes", limit)
        assert await closed(reader)


async def test_a_body_sent_with_the_headers_is_not_counted_as_headers(
    served: str, pmo_state: AppState, org: TestOrganisation
) -> None:
    limit = pmo_state.settings.max_header_bytes
    body = orjson.dumps({"query": "{ viewer { user { email } } }", "variables": {"p": "x" * limit}})
    data = request(
        limit,
        method="POST",
        path="/graphql",
        extra=["Content-Type: application/json", f"Authorization: Bearer {org.tokens[Role.ADMIN]}"],
        body=body,
    )
    answer, _ = await exchange(served, data)  # headers and body in one write
    assert answer.status == 200, answer
    assert answer.json()["data"]["viewer"]["user"]["email"].endswith(f"@{org.slug}.test")


# --- the served process ----------------------------------------------------------------------


def _memory(pid: int) -> dict[str, int]:
    """The process's resident memory now (VmRSS) and at its peak (VmHWM), in bytes."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) * 1024
    return found


@contextmanager
def _served_process(env: dict[str, str], log: Path, *args: str) -> Iterator[tuple[str, int]]:
    """``pmo-graph serve`` with ``env``, ready: its URL and process id (with one worker, the
    process that serves)."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "pmo_graph", "serve", "--port", str(port), *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


async def _send_huge_header(url: str, total: int) -> tuple[int, Answer | None]:
    """Send a request whose one header is ``total`` bytes long, without holding it: the bytes
    written before the server stopped reading them, and its answer (None if it gave none)."""
    chunk = b"h" * (64 * 1024)
    async with connection(url) as (reader, writer):
        answer_read = asyncio.create_task(read_answer(reader))
        written = 0
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: ")
        try:
            while written < total:
                writer.write(chunk)
                await writer.drain()
                written += len(chunk)
        except ConnectionError:
            pass  # the server gave up on reading it: fine, the answer is what counts
        try:
            return written, await answer_read
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            return written, None


@pytest.mark.pmo_backends("sqlite")
@pytest.mark.parametrize("parser", PARSERS)
def test_a_64_mb_header_costs_the_served_process_no_memory(
    parser: str, pmo_backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        "PMO_GRAPH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.sqlite3'}",
        "PMO_GRAPH_HTTP_PARSER": parser,
    }
    with _served_process(env, tmp_path / "serve.log") as (url, process_id):
        # Warm every path once, so that what follows measures the request alone.
        asyncio.run(exchange(url, request(64 * 1024 + 1)))
        before = _memory(process_id)
        written, answer = asyncio.run(_send_huge_header(url, 64 * MiB))
        after = _memory(process_id)
        healthy = asyncio.run(exchange(url, request(200)))[0]
    growth = after["VmHWM"] - before["VmHWM"]
    with capsys.disabled():
        print(
            f"\n64 MB header ({parser}): {written / MiB:.0f} MiB sent, answered "
            f"{answer.status if answer else 'nothing'}; the server's peak memory grew by "
            f"{growth / MiB:.1f} MiB (resident {before['VmRSS'] / MiB:.0f} -> "
            f"{after['VmRSS'] / MiB:.0f} MiB)"
        )
    assert answer is not None, "no answer to a 64 MB header"
    _assert_refused(answer, "headerBytes", 64 * 1024)
    assert written == 64 * MiB  # read to the end (and dropped), not cut off
    assert growth < 4 * MiB
    _assert_healthy(healthy)


@pytest.mark.pmo_backends("postgresql")
def test_every_worker_of_serve_keeps_the_configured_limits(
    pmo_backend: str, tmp_path: Path
) -> None:
    with postgres_schema("pmo_headers") as settings:
        env = {
            "PMO_GRAPH_DATABASE_URL": settings.database_url,
            "PMO_GRAPH_DATABASE_SCHEMA": settings.database_schema or "",
            "PMO_GRAPH_AUTO_MIGRATE": "true",
            "PMO_GRAPH_MAX_HEADER_BYTES": "4096",
            "PMO_GRAPH_MAX_HEADER_FIELDS": "20",
        }
        with _served_process(env, tmp_path / "workers.log", "--workers", "2") as (url, _):
            # Enough connections that both workers take some (the kernel spreads them).
            for _ in range(6):
                _assert_healthy(asyncio.run(exchange(url, request(4096, fields=20)))[0])
                answer, was_closed = asyncio.run(exchange(url, request(4097)))
                _assert_refused(answer, "headerBytes", 4096)
                assert was_closed
                answer, _ = asyncio.run(exchange(url, request(1000, fields=21)))
                _assert_refused(answer, "headerFields", 20)
