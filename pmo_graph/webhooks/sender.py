"""One HTTP attempt of one delivery: the signed POST and what came of it."""

from __future__ import annotations

import asyncio
import time

import httpx
import orjson

from pmo_graph.webhooks.addresses import AddressRefused, pinned, public_address
from pmo_graph.webhooks.claims import ClaimedDelivery, Outcome
from pmo_graph.webhooks.signing import signature_header

USER_AGENT = "pmo-graph-webhooks"
EVENT_HEADER = "PMO-Graph-Event"
DELIVERY_HEADER = "PMO-Graph-Delivery"
SIGNATURE_HEADER = "PMO-Graph-Signature"
#: How much of a refusing receiver's answer is kept in ``lastError``.
SNIPPET_BYTES = 300


def new_client() -> httpx.AsyncClient:
    """The HTTP client deliveries are sent with.

    It follows no redirect (a 3xx is a failed attempt: a redirect could lead anywhere, past the
    address check), keeps no connection alive (each attempt connects to the address it checked,
    with its own TLS server name) and ignores proxy variables of the environment.
    """
    return httpx.AsyncClient(
        follow_redirects=False,
        limits=httpx.Limits(max_keepalive_connections=0),
        trust_env=False,
    )


def _retry_after(response: httpx.Response) -> float | None:
    if response.status_code not in (429, 503):
        return None
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None


async def _snippet(response: httpx.Response) -> str:
    """The start of a response body, as text (the rest is never read)."""
    chunk = b""
    async for part in response.aiter_raw():
        chunk += part
        if len(chunk) >= SNIPPET_BYTES:
            break
    return chunk[:SNIPPET_BYTES].decode("utf-8", errors="replace").strip()


def _failure(response: httpx.Response, snippet: str) -> str:
    if response.is_redirect:
        return f"HTTP {response.status_code}: redirects are not followed"
    return f"HTTP {response.status_code}" + (f": {snippet}" if snippet else "")


async def send(
    client: httpx.AsyncClient,
    delivery: ClaimedDelivery,
    *,
    timeout_seconds: float,
    allow_private: bool,
) -> Outcome:
    """POST ``delivery`` to its webhook's URL, signed, within ``timeout_seconds`` in all
    (resolving, connecting, sending and the answer's status line together)."""
    body = orjson.dumps(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: delivery.event_name,
        DELIVERY_HEADER: delivery.delivery_id,
    }
    try:
        async with asyncio.timeout(timeout_seconds):
            url = httpx.URL(delivery.url)
            extensions: dict[str, str] = {}
            if not allow_private:
                port = url.port or (443 if url.scheme == "https" else 80)
                address = await public_address(url.host, port)
                url, host, extensions = pinned(url, address)
                headers.update(host)
            headers[SIGNATURE_HEADER] = signature_header(
                delivery.secret, body, int(time.time()), delivery.previous_secret
            )
            async with client.stream(
                "POST",
                url,
                content=body,
                headers=headers,
                extensions=extensions,
                timeout=timeout_seconds,
            ) as response:
                if response.is_success:
                    return Outcome(response.status_code)
                snippet = await _snippet(response)
                return Outcome(
                    response.status_code, _failure(response, snippet), _retry_after(response)
                )
    except AddressRefused as error:
        return Outcome(None, f"refused: {error}")
    except (TimeoutError, httpx.TimeoutException):
        return Outcome(None, f"no answer within {timeout_seconds:g} seconds")
    except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as error:
        return Outcome(
            None, f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        )
