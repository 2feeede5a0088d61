"""Which URLs a webhook may have, and the guard against requests into the private network.

A webhook's URL is chosen by a user, and the server sends requests to it: unguarded, an ADMIN
could make the server call its own database, a cloud metadata endpoint or anything else only
reachable from inside (server-side request forgery). Unless ``webhook_private_networks`` is on,
a host that resolves to an address that is not globally routable (loopback, private, link-local,
shared, reserved …) is refused when the webhook is registered and again at every delivery, and a
delivery connects to the very address that was checked, so the name cannot resolve elsewhere
between the check and the connection.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import httpx

#: The longest URL a webhook may have.
MAX_URL_LENGTH = 2048
#: How long registration waits for a name to resolve before accepting it unchecked (the check
#: is made again at every delivery).
REGISTRATION_RESOLVE_SECONDS = 2.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(Exception):
    """The URL's host cannot be called: it does not resolve or it is not a public address."""


def parsed_url(url: str) -> httpx.URL | None:
    """``url`` as httpx, which delivers, reads it; None when httpx cannot (a bad IPv6 literal, a
    host name IDNA refuses, a port that is not a number)."""
    try:
        parsed = httpx.URL(url)
        parsed.host  # noqa: B018 - decoding the host is where IDNA refuses some labels
    except (httpx.InvalidURL, ValueError):  # IDNA's errors are UnicodeErrors, ValueErrors
        return None
    return parsed


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a webhook's URL, as a sentence; None when it can.

    The URL is read with httpx, as a delivery reads it, so that a URL registered is one a
    delivery can send to.
    """
    if len(url) > MAX_URL_LENGTH:
        return f"url must be at most {MAX_URL_LENGTH} characters."
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return "url must not contain spaces or control characters."
    parts = parsed_url(url)
    if parts is None:
        return "url is not a valid URL: check the host name and the port."
    if parts.scheme not in ("http", "https"):
        return "url must be an http:// or https:// URL."
    if not parts.host:
        return "url must name a host."
    if parts.userinfo:
        return "url must not carry a user name or password; authenticate with the signature."
    if parts.port is not None and not 0 < parts.port < 65536:
        return "url has an invalid port."
    return None


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is globally routable unicast (the only kind a webhook may reach)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (itself when it is an address); AddressRefused if none."""
    literal = _literal(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise AddressRefused(f"the host {host!r} does not resolve") from error
    found: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in found:
            found.append(address)
    if not found:
        raise AddressRefused(f"the host {host!r} does not resolve")
    return found


async def public_address(host: str, port: int) -> IPAddress:
    """The address to connect to for ``host``: refused unless every address it has is public.

    All of them are checked, not just the first, so that a name with one public and one private
    address cannot reach the private one.
    """
    addresses = await resolve(host, port)
    private = [str(a) for a in addresses if not is_public(a)]
    if private:
        raise AddressRefused(
            f"the host {host!r} resolves to {', '.join(private)}, which is not a public address"
        )
    return addresses[0]


async def registration_problem(url: str, allow_private: bool) -> str | None:
    """Why ``url`` cannot be registered (its form, or a private address); None when it can.

    A name that does not resolve (yet) within ``REGISTRATION_RESOLVE_SECONDS`` is accepted: its
    deliveries fail, and are retried, until it resolves to a public address.
    """
    problem = url_problem(url)
    target = parsed_url(url)
    if problem is not None or allow_private or target is None:
        return problem
    port = target.port or (443 if target.scheme == "https" else 80)
    literal = _literal(target.host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = await asyncio.wait_for(
                resolve(target.host, port), REGISTRATION_RESOLVE_SECONDS
            )
        except (AddressRefused, TimeoutError):
            return None
    if all(is_public(address) for address in addresses):
        return None
    return (
        f"url's host {target.host!r} is not a public address (loopback, private, link-local or "
        "reserved); webhooks may only call the internet."
    )


def pinned(url: httpx.URL, address: IPAddress) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
    """``url`` rewritten to connect to ``address``: the URL, its headers and its extensions.

    The ``Host`` header and the TLS server name (SNI, and the name the certificate is checked
    against) stay the URL's own host.
    """
    host = url.host
    return (
        url.copy_with(host=str(address)),
        {"Host": url.netloc.decode("ascii")},
        {"sni_hostname": host},
    )
