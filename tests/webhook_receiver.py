"""A real HTTP webhook receiver for the tests: a threaded stdlib server on 127.0.0.1.

It checks every request's signature with the secret registered for its path, records what came
(delivery id, event, body) and answers as its ``plan`` says: accept, fail with 500, hang past
the sender's timeout, or hold the request open until the test releases it.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pmo_graph.webhooks.signing import verify_signature

ACCEPT = "accept"
FAIL = "fail"
#: Keep the request past the sender's timeout, then answer 200 to nobody.
HANG = "hang"
#: Keep the request open until ``Receiver.release`` is set, then accept it.
HOLD = "hold"

#: (path, delivery id, this delivery's attempt number as the receiver counts) → what to do.
Plan = Callable[[str, str, int], str]


@dataclass
class Request:
    """One request the receiver got."""

    path: str
    delivery_id: str
    event: str
    body: dict[str, Any]
    signed: bool
    answer: str


@dataclass
class Receiver:
    """What the server saw and how it answers; every field is guarded by ``lock``."""

    url: str = ""
    secrets: dict[str, str] = field(default_factory=dict)
    plan: Plan = lambda _path, _delivery, _attempt: ACCEPT
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: Set by the test: requests held with HOLD are answered.
    release: threading.Event = field(default_factory=threading.Event)
    #: Set while a HOLD request is being held.
    holding: threading.Event = field(default_factory=threading.Event)
    #: Set at the end: every hanging or held request returns.
    closing: threading.Event = field(default_factory=threading.Event)

    def reset(self) -> None:
        """Forget every request and go back to accepting everything."""
        with self.lock:
            self.requests.clear()
            self.secrets.clear()
            self.plan = lambda _path, _delivery, _attempt: ACCEPT
            self.release.clear()
            self.holding.clear()

    def at(self, path: str) -> list[Request]:
        """The requests to ``path``, in the order they came."""
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def accepted(self, path: str) -> list[Request]:
        """The requests to ``path`` answered with 200."""
        return [r for r in self.at(path) if r.answer in (ACCEPT, HOLD)]

    def attempts(self, path: str) -> Counter[str]:
        """Requests to ``path`` per delivery id."""
        return Counter(r.delivery_id for r in self.at(path))


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            delivery_id = self.headers.get("PMO-Graph-Delivery", "")
            with receiver.lock:
                secret = receiver.secrets.get(self.path, "")
                attempt = 1 + sum(1 for r in receiver.requests if r.delivery_id == delivery_id)
                answer = receiver.plan(self.path, delivery_id, attempt)
                receiver.requests.append(
                    Request(
                        path=self.path,
                        delivery_id=delivery_id,
                        event=self.headers.get("PMO-Graph-Event", ""),
                        body=json.loads(raw),
                        signed=verify_signature(
                            secret, self.headers.get("PMO-Graph-Signature", ""), raw
                        ),
                        answer=answer,
                    )
                )
            if answer == HANG:
                receiver.closing.wait(30)
            elif answer == HOLD:
                receiver.holding.set()
                receiver.release.wait(30)
            status = 500 if answer == FAIL else 200
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"no")
            except OSError:
                pass  # the sender gave up waiting

    return Handler


class ReceiverServer:
    """The receiver served in a background thread; ``close`` ends it."""

    def __init__(self) -> None:
        self.receiver = Receiver()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.receiver))
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        self.receiver.url = f"http://{host!s}:{port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Release every held request and stop serving."""
        self.receiver.closing.set()
        self.receiver.release.set()
        self.server.shutdown()
        self.server.server_close()
