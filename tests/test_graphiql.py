"""GraphiQL over HTTP: our page, its security headers, and the pinned assets it loads."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from pmo_graph.app import create_app
from pmo_graph.settings import Settings
from pmo_graph.testing import TestOrganisation

PAGE = "http://pmo-graph.test/graphql"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
STATIC = Path(__file__).resolve().parent.parent / "pmo_graph" / "graphiql" / "static"
#: Any absolute or protocol-relative address; the page must name none.
EXTERNAL_URL = re.compile(r"(?:https?:|wss?:)?//[A-Za-z0-9]", re.IGNORECASE)


class PageParts(HTMLParser):
    """The scripts and stylesheets a page loads, and the text of any inline script."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self.inline_scripts: list[str] = []
        self.inline_styles: list[str] = []
        self.style_attributes: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("style") is not None:
            self.style_attributes.append(str(attributes["style"]))
        if any(name.startswith("on") for name in attributes):
            self.inline_scripts.append(f"an event handler attribute on <{tag}>")
        if tag == "script":
            src = attributes.get("src")
            if src:
                self.scripts.append(src)
            self._in = "script" if not src else None
        elif tag == "style":
            self._in = "style"
        elif tag == "link" and attributes.get("rel") == "stylesheet":
            self.stylesheets.append(str(attributes["href"]))

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.inline_scripts.append(data)
        elif self._in == "style":
            self.inline_styles.append(data)


def csp_directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as directive -> sources."""
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


async def ide_page(http: httpx.AsyncClient) -> httpx.Response:
    page = await http.get("/graphql", headers={"accept": BROWSER_ACCEPT})
    assert page.status_code == 200, page.text
    return page


async def test_the_page_is_served_with_a_strict_content_security_policy(
    pmo_http: httpx.AsyncClient,
) -> None:
    page = await ide_page(pmo_http)
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    policy = csp_directives(page.headers["content-security-policy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"][0] == "'self'"
    assert all(source.startswith("'sha256-") for source in policy["style-src"][1:])
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["font-src"] == ["'self'", "data:"]
    assert policy["connect-src"] == ["'self'", "ws://pmo-graph.test", "wss://pmo-graph.test"]
    for directive in ("frame-ancestors", "base-uri", "form-action"):
        assert policy[directive] == ["'none'"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"


async def test_a_host_header_that_is_no_host_stays_out_of_the_policy(
    pmo_http: httpx.AsyncClient,
) -> None:
    page = await pmo_http.get(
        "/graphql", headers={"accept": BROWSER_ACCEPT, "host": "evil; script-src *"}
    )
    policy = csp_directives(page.headers["content-security-policy"])
    assert policy["connect-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]


async def test_the_page_runs_no_inline_script_and_names_no_other_origin(
    pmo_http: httpx.AsyncClient,
) -> None:
    page = await ide_page(pmo_http)
    parts = PageParts()
    parts.feed(page.text)
    assert parts.scripts, "the page loads no script at all"
    assert parts.inline_scripts == []
    assert parts.inline_styles == []
    assert parts.style_attributes == []
    assert EXTERNAL_URL.findall(page.text) == []
    bootstrap = (STATIC / "pmo-graphiql.js").read_text()
    assert EXTERNAL_URL.findall(bootstrap) == []
    assert "localStorage" not in bootstrap


async def test_every_asset_of_the_page_is_served_with_its_type_for_good(
    pmo_http: httpx.AsyncClient,
) -> None:
    parts = PageParts()
    parts.feed((await ide_page(pmo_http)).text)
    expected = {
        **dict.fromkeys(parts.scripts, "text/javascript; charset=utf-8"),
        **dict.fromkeys(parts.stylesheets, "text/css; charset=utf-8"),
    }
    assert len(expected) == 8
    for reference, content_type in expected.items():
        url = urljoin(PAGE, reference)
        assert urlsplit(url).netloc == "pmo-graph.test"
        asset = await pmo_http.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"] == content_type
        assert asset.headers["x-content-type-options"] == "nosniff"
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        # The address carries the content's digest, so a changed file gets a new address.
        (version,) = parse_qs(urlsplit(url).query)["v"]
        assert hashlib.sha256(asset.content).hexdigest().startswith(version)


async def test_every_vendored_file_matches_its_manifest_entry(
    pmo_http: httpx.AsyncClient,
) -> None:
    manifest = json.loads((STATIC / "manifest.json").read_text())
    pins = {package["name"]: package["version"] for package in manifest["packages"]}
    recorded = {entry["name"]: entry for entry in manifest["files"]}
    for name, entry in recorded.items():
        assert hashlib.sha256((STATIC / name).read_bytes()).hexdigest() == entry["sha256"], name
        assert entry["version"] == pins[entry["package"]]
        served = await pmo_http.get(f"/graphiql/static/{name}")
        assert served.status_code == 200
        assert hashlib.sha256(served.content).hexdigest() == entry["sha256"]
    ours = {"manifest.json", "pmo-graphiql.js", "pmo-graphiql.css"}
    assert {path.name for path in STATIC.iterdir()} == set(recorded) | ours
    licensed = {entry["package"] for entry in recorded.values() if entry["source"] == "LICENSE"}
    assert {entry["package"] for entry in recorded.values()} - licensed <= {
        "@graphiql/plugin-explorer"  # ships none: its repository's, graphiql's, is copied
    }
    assert (STATIC / "plugin-explorer.LICENSE.txt").read_bytes() == (
        STATIC / "graphiql.LICENSE.txt"
    ).read_bytes()
    assert pins["react"].startswith("18.")
    assert pins["graphiql"].startswith("3.8.")


@pytest.mark.parametrize("name", ["nope.js", "manifest.json", "%2e%2e", "pmo-graphiql.js.map"])
async def test_only_the_page_s_assets_are_served(pmo_http: httpx.AsyncClient, name: str) -> None:
    refused = await pmo_http.get(f"/graphiql/static/{name}")
    assert refused.status_code == 404
    assert refused.text == "No such GraphiQL asset."
    assert refused.headers["x-content-type-options"] == "nosniff"


async def test_no_path_leads_out_of_the_asset_folder(pmo_http: httpx.AsyncClient) -> None:
    refused = await pmo_http.get("/graphiql/static/..%2fpage.py")
    assert refused.status_code == 404
    assert "import" not in refused.text


async def test_a_get_with_a_query_runs_it_even_from_a_browser(org: TestOrganisation) -> None:
    answer = await org.http.get(
        "/graphql",
        params={"query": "{ viewer { user { email } } }"},
        headers={"accept": BROWSER_ACCEPT, **org.admin.headers()},
    )
    assert answer.status_code == 200
    assert answer.json()["data"]["viewer"]["user"]["email"] == f"admin@{org.slug}.test"


async def test_graphiql_switched_off_serves_neither_page_nor_assets(
    pmo_settings: Settings,
) -> None:
    from sample_plugin import plugin

    app = create_app(pmo_settings.model_copy(update={"graphiql": False}), [plugin], prepare=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        page = await client.get("/graphql", headers={"accept": BROWSER_ACCEPT})
        asset = await client.get("/graphiql/static/graphiql.min.js")
    assert page.status_code == 404
    assert page.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert asset.status_code == 404
