"""GraphiQL opens and runs operations in a real browser on a network without any CDN.

Chromium (Debian's) loads the page from the app served by uvicorn on 127.0.0.1, where every
other host fails to resolve; a person's steps are played with Playwright: paste the token into
the headers pane, write an operation, press run, read the result pane. Every request the page
made must have gone to that server, with no console error and no CSP violation.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from playwright.async_api import Browser

from graphiql_ui import GraphiQLPage, chromium
from pmo_graph.app_state import AppState
from pmo_graph.auth.roles import Role
from pmo_graph.testing import TestOrganisation

# The page is the same whatever the database; one backend shows it.
pytestmark = pytest.mark.pmo_backends("sqlite")

CREATE_PORTFOLIO = """mutation($name: String!) { createPortfolio(input: {name: $name}) {
  portfolio { id } userErrors { code } } }"""


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def until(condition: Callable[[], bool], what: str, within: float = 15.0) -> None:
    """Return as soon as ``condition()`` holds; fail naming ``what`` after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def elsewhere(tab: GraphiQLPage, server_url: str) -> list[str]:
    """The page's requests that went anywhere but the server under test."""
    local = urlsplit(server_url).netloc
    return [
        url for url in tab.requests if not url.startswith("data:") and urlsplit(url).netloc != local
    ]


async def test_graphiql_runs_a_query_with_the_pasted_token(
    browser: Browser, pmo_server_url: str, org: TestOrganisation
) -> None:
    token = org.tokens[Role.ADMIN]
    tab = await GraphiQLPage.open(browser, f"{pmo_server_url}/graphql")
    assert await tab.headers_text() == '{\n  "Authorization": "Bearer "\n}'

    await tab.paste_token(token)
    assert await tab.headers_text() == f'{{\n  "Authorization": "Bearer {token}"\n}}'
    await tab.write_operation("{ viewer { user { email } organisation { name } } }")
    await tab.run()
    result = await tab.result()

    assert result["data"]["viewer"] == {
        "user": {"email": f"admin@{org.slug}.test"},
        "organisation": {"name": f"Test organisation {org.slug}"},
    }
    await tab.open_and_close_settings()
    # GraphiQL stores its tabs (debounced) once the operation ran: in sessionStorage, and
    # without the token; localStorage stays empty.
    await tab.page.wait_for_function(
        "() => (sessionStorage.getItem('graphiql:tabState') || '').includes('organisation')"
    )
    stored = await tab.stored()
    assert stored["local"] == {}
    assert not [key for key, value in stored["session"].items() if token in value]
    assert elsewhere(tab, pmo_server_url) == []
    assert await tab.csp_violations() == []
    assert tab.problems == []


async def test_graphiql_subscribes_with_the_headers_pane_as_connection_payload(
    browser: Browser, pmo_server_url: str, org: TestOrganisation, pmo_state: AppState
) -> None:
    token = org.tokens[Role.ADMIN]
    tab = await GraphiQLPage.open(browser, f"{pmo_server_url}/graphql")
    await tab.paste_token(token)
    await tab.write_operation("subscription { auditEvents { action } }")
    listening = pmo_state.bus.listener_count

    await tab.run()
    await until(lambda: pmo_state.bus.listener_count > listening, "the subscription to start")
    await org.admin.mutate(CREATE_PORTFOLIO, {"name": "Seen in GraphiQL"})
    event = await tab.result()

    assert event["data"] == {"auditEvents": {"action": "createPortfolio"}}
    (init,) = [frame for frame in tab.sent_frames if '"connection_init"' in frame]
    assert f'"Authorization":"Bearer {token}"' in init
    assert [url for url in tab.requests if url.startswith("ws")] == [
        f"{pmo_server_url.replace('http', 'ws', 1)}/graphql"
    ]
    assert elsewhere(tab, pmo_server_url) == []
    assert await tab.csp_violations() == []
    assert tab.problems == []
