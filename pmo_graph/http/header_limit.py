"""Counting a request's header section as it arrives, and refusing it with 431 once it is over.

The header section is the request line, every header line and the empty line that ends them,
line ends included. It is counted from the raw bytes a connection reads, before the HTTP parser
is given them, so a section over the limit is refused without the parser ever holding it:
what a connection holds while its headers arrive is at most the limit and one socket read
(asyncio reads up to 256 KiB at a time). ``pmo_graph.http.protocols`` puts this in front of
uvicorn's parsers.
"""

from __future__ import annotations

import asyncio
import logging

from pmo_graph.errors import QUERY_TOO_COMPLEX
from pmo_graph.http.media_types import JSON, negotiate
from pmo_graph.http.middleware import error_body

log = logging.getLogger("pmo_graph.requests")

#: How long a refused connection goes on reading (and dropping) what the client still sends:
#: closing a socket that has unread data resets it, and the client could lose the answer. It is
#: closed once the client has sent nothing for the first, or after the second in all (nginx's
#: ``lingering_timeout`` and ``lingering_time``).
LINGER_IDLE_SECONDS = 5.0
LINGER_MOST_SECONDS = 30.0
#: The empty line that ends a header section, with the line end before it.
_END = b"\r\n\r\n"
#: The most of one ``Accept`` field kept to answer a refusal in the type it asks for.
ACCEPT_KEPT_BYTES = 1024
BYTES_LIMIT = "headerBytes"
FIELDS_LIMIT = "headerFields"


class HeaderSection:
    """The bytes and header fields of one request's header section, counted as they arrive."""

    def __init__(self, max_bytes: int, max_fields: int) -> None:
        self.max_bytes = max_bytes
        self.max_fields = max_fields
        self.size = 0
        self._lines = 0
        #: The last bytes read, to find an end split between two reads.
        self._tail = b""
        #: The ``Accept`` fields read so far, and the start of the line being read.
        self.accept: list[str] = []
        self._line = b""

    def add(self, data: bytes) -> str | None:
        """Count the part of ``data`` up to the end of the section (all of it while the end has
        not come); the limit the section is now over (``BYTES_LIMIT``, ``FIELDS_LIMIT``) or None.
        """
        window = self._tail + data
        end = window.find(_END)
        part = data if end < 0 else data[: end + len(_END) - len(self._tail)]
        self.size += len(part)
        self._lines += part.count(b"\n")
        self._keep_accept(part)
        self._tail = window[-(len(_END) - 1) :]
        # Each line ends with a line feed: the request line, every field, the empty line last.
        fields = self._lines - (2 if end >= 0 else 1)
        if self.size > self.max_bytes:
            return BYTES_LIMIT
        if fields > self.max_fields:
            return FIELDS_LIMIT
        return None

    def _keep_accept(self, part: bytes) -> None:
        """Note the ``Accept`` fields among the lines of ``part`` (at most
        ``ACCEPT_KEPT_BYTES`` of each line is looked at, so a long line costs nothing)."""
        lines = part.split(b"\n")
        lines[0] = self._line + lines[0][:ACCEPT_KEPT_BYTES]
        self._line = lines.pop()[:ACCEPT_KEPT_BYTES]
        for line in lines:
            if line[:7].lower() == b"accept:":
                self.accept.append(line[7:ACCEPT_KEPT_BYTES].strip().decode("latin-1"))

    def media_type(self) -> str:
        """The media type the client accepts for a refusal (JSON when it accepts neither)."""
        return negotiate(",".join(self.accept) if self.accept else None) or JSON

    def refusal(self, limit: str) -> bytes:
        """The whole 431 answer to a section over ``limit``, as it goes on the wire."""
        if limit == BYTES_LIMIT:
            maximum = self.max_bytes
            message = (
                f"The request's header fields are over the limit of {maximum} bytes in all; "
                "send fewer or shorter headers (large cookies, say)."
            )
        else:
            maximum = self.max_fields
            message = f"The request has more than {maximum} header fields; send fewer headers."
        body = error_body(message, QUERY_TOO_COMPLEX, limit=limit, maximum=maximum)
        head = (
            "HTTP/1.1 431 Request Header Fields Too Large\r\n"
            f"content-type: {self.media_type()}\r\n"
            f"content-length: {len(body)}\r\n"
            "connection: close\r\n\r\n"
        )
        return head.encode("ascii") + body


class HeaderLimit:
    """One connection's limit: the section being counted, and the refusal once it is over.

    A protocol passes each read to ``refuses`` while its parser is in a request's header
    section (or between requests), calls ``next_request`` once a request's headers are behind
    it, hands every read to ``drop`` once ``refused``, and calls ``connection_lost``.
    """

    def __init__(self, max_bytes: int, max_fields: int) -> None:
        self.max_bytes = max_bytes
        self.max_fields = max_fields
        self.section = HeaderSection(max_bytes, max_fields)
        self.refused = False
        self._transport: asyncio.Transport | None = None
        self._linger: asyncio.TimerHandle | None = None
        self._linger_until = 0.0

    def next_request(self) -> None:
        """Count the next request's header section from nothing."""
        self.section = HeaderSection(self.max_bytes, self.max_fields)

    def refuses(self, transport: asyncio.Transport, data: bytes) -> bool:
        """Count ``data``; if it takes the section over a limit, answer 431 and return True."""
        limit = self.section.add(data)
        if limit is None:
            return False
        self.refused = True
        peer = transport.get_extra_info("peername")
        log.warning(
            "request refused: its header section is over the limit",
            extra={
                "fields": {
                    "status": 431,
                    "limit": limit,
                    "received_bytes": self.section.size,
                    "client": peer[0] if isinstance(peer, tuple) else None,
                }
            },
        )
        transport.write(self.section.refusal(limit))
        if not transport.can_write_eof():
            transport.close()
            return True
        # Send nothing more and read on, dropping it, until the client closes or time is up.
        transport.write_eof()
        self._transport = transport
        self._linger_until = asyncio.get_running_loop().time() + LINGER_MOST_SECONDS
        self.drop()
        return True

    def drop(self) -> None:
        """A read after the refusal: dropped, and the connection given a while longer."""
        if self._transport is None:
            return
        loop = asyncio.get_running_loop()
        if self._linger is not None:
            self._linger.cancel()
        delay = min(LINGER_IDLE_SECONDS, max(0.0, self._linger_until - loop.time()))
        self._linger = loop.call_later(delay, self._transport.close)

    def connection_lost(self) -> None:
        """Stop lingering: the connection is gone."""
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        self._transport = None
