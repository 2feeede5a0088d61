"""The GraphiQL page and the headers it is served with."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse

from pmo_graph.graphiql.assets import served_assets
from pmo_graph.graphiql.inline_styles import INLINE_STYLE_SOURCES

TEMPLATE = Path(__file__).parent / "page.html"

#: The page's assets by the template's placeholder.
PLACEHOLDERS = {
    "graphiql_css": "graphiql.min.css",
    "explorer_css": "plugin-explorer.css",
    "page_css": "pmo-graphiql.css",
    "react_js": "react.production.min.js",
    "react_dom_js": "react-dom.production.min.js",
    "graphiql_js": "graphiql.min.js",
    "explorer_js": "plugin-explorer.umd.js",
    "page_js": "pmo-graphiql.js",
}

#: A Host header that may be written into the policy as it is: a name or an IP, and a port.
_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")

#: Served with every asset and the page: a browser must not guess another content type.
NOSNIFF = {"X-Content-Type-Options": "nosniff"}


@cache
def page_html() -> str:
    """The page, its asset addresses filled in."""
    assets = served_assets()
    urls = {key: assets[name].url for key, name in PLACEHOLDERS.items()}
    return Template(TEMPLATE.read_text()).substitute(urls)


def content_security_policy(host: str | None) -> str:
    """The page's policy: scripts, styles, images and fonts from this server only, requests
    to it only (``host``'s ws:/wss: for subscriptions, where ``'self'`` does not reach them in
    older browsers), and no framing, ``<base>`` or form posts.

    No inline script runs, and the only inline style is the one GraphiQL's dialogs insert,
    admitted by its hash (``inline_styles``).
    """
    connect = ["'self'"]
    if host and _HOST.fullmatch(host):
        connect += [f"ws://{host}", f"wss://{host}"]
    directives = {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", *INLINE_STYLE_SOURCES],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": connect,
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def page_headers(host: str | None) -> dict[str, str]:
    """The security headers of the page."""
    return {
        "Content-Security-Policy": content_security_policy(host),
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
        **NOSNIFF,
    }


def graphiql_page(request: Request) -> HTMLResponse:
    """The GraphiQL page for ``request`` (a browser's GET of the GraphQL endpoint)."""
    return HTMLResponse(page_html(), headers=page_headers(request.headers.get("host")))
