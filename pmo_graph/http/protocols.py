"""uvicorn's two HTTP/1.1 protocols with a limit on each request's header section.

uvicorn's httptools protocol reads a request's headers whole, whatever their size; its h11
protocol refuses past h11's buffer limit (16 KiB unless told), with a plain-text 400, and only
while the headers are incomplete in what it has read. The protocols here count the section as
it arrives (``pmo_graph.http.header_limit``) and answer ``431 Request Header Fields Too Large``
with a coded JSON error once it is over ``PMO_GRAPH_MAX_HEADER_BYTES`` or
``PMO_GRAPH_MAX_HEADER_FIELDS``. ``uvicorn_http_options`` gives ``uvicorn.run`` or
``uvicorn.Config`` the protocol a ``Settings`` asks for, with its limits.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from pmo_graph.http.header_limit import HeaderLimit
from pmo_graph.settings import HttpParser, Settings


class HeaderLimited(asyncio.Protocol):
    """What both protocols add: the connection's ``HeaderLimit``, given by keyword (the rest
    goes to uvicorn's protocol), and an end to lingering when the connection goes."""

    def __init__(
        self, *args: Any, max_header_bytes: int, max_header_fields: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.header_limit = HeaderLimit(max_header_bytes, max_header_fields)

    def connection_lost(self, exc: Exception | None) -> None:
        self.header_limit.connection_lost()
        super().connection_lost(exc)


class LimitedHttpToolsProtocol(HeaderLimited, HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing a header section over the limits with 431."""

    #: Whether the parser is in a request's header section, or waiting for a request.
    in_header_section = True

    def data_received(self, data: bytes) -> None:
        if self.header_limit.refused:
            self.header_limit.drop()
            return
        if self.in_header_section and self.header_limit.refuses(self.transport, data):
            return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self.in_header_section = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.in_header_section = True
        self.header_limit.next_request()


class LimitedH11Protocol(HeaderLimited, H11Protocol):
    """uvicorn's h11 protocol, refusing a header section over the limits with 431.

    h11 waits for a request's headers while the client's state is ``IDLE``; that state comes
    back for each request of a kept-alive connection. (h11's own buffer limit is set to the same
    size by ``uvicorn_http_options``; this count comes first.)
    """

    #: Whether h11 was waiting for a request's headers after the last read.
    was_idle = True

    def data_received(self, data: bytes) -> None:
        limit = self.header_limit
        if limit.refused:
            limit.drop()
            return
        if self.conn.their_state is h11.IDLE:
            if not self.was_idle:
                limit.next_request()  # the request before has been answered
            if limit.refuses(self.transport, data):
                return
        super().data_received(data)
        self.was_idle = self.conn.their_state is h11.IDLE


def http_protocol(
    parser: HttpParser, max_header_bytes: int, max_header_fields: int
) -> Callable[..., asyncio.Protocol]:
    """The protocol for uvicorn's ``http`` option, with the limits; it pickles, so worker
    processes (``serve --workers N``) get it too. ``auto`` is httptools, as for uvicorn when
    httptools is installed (pmo-graph depends on it)."""
    protocol = LimitedH11Protocol if parser == "h11" else LimitedHttpToolsProtocol
    return functools.partial(
        protocol, max_header_bytes=max_header_bytes, max_header_fields=max_header_fields
    )


def uvicorn_http_options(settings: Settings, parser: HttpParser | None = None) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` and ``uvicorn.Config``: the HTTP protocol of
    ``settings`` (or ``parser``) with the header limits of ``settings``."""
    return {
        "http": http_protocol(
            parser or settings.http_parser, settings.max_header_bytes, settings.max_header_fields
        ),
        # h11's own guard, no smaller than the count in front of it (its default is 16 KiB).
        "h11_max_incomplete_event_size": settings.max_header_bytes,
    }
