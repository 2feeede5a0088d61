"""GraphiQL in this machine's Chromium, driven with Playwright, on a network that reaches only
127.0.0.1: what a person does on the page, and what the page did besides."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, Request, WebSocket, async_playwright

#: Debian's package (``apt-get install -y chromium``); Playwright must not download its own.
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # No host but 127.0.0.1 resolves: a request anywhere else fails instead of going out.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]

#: Collects the page's Content-Security-Policy violations from before its first script runs.
_RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI} ${e.sample}`);
});
"""
_QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
_HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
_RESULT = ".result-window .CodeMirror"


def chromium_path() -> str:
    """Where Chromium is; a clear failure (never a skip) when it is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: 'apt-get install -y chromium' "
            "(.ci/run installs it when it is missing)."
        )
    return str(CHROMIUM)


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """The system's Chromium, headless, that resolves no host but 127.0.0.1."""
    executable = chromium_path()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class GraphiQLPage:
    """One tab on the GraphiQL page, recording every request, WebSocket frame and problem."""

    page: Page
    requests: list[str] = field(default_factory=list)
    sent_frames: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @classmethod
    async def open(cls, browser: Browser, url: str) -> GraphiQLPage:
        """A new tab on ``url``, once GraphiQL has drawn its editors."""
        page = await browser.new_page()
        page.set_default_timeout(20_000)
        tab = cls(page)
        page.on("request", tab._request)
        page.on("websocket", tab._websocket)
        page.on("console", tab._console)
        page.on("pageerror", lambda error: tab.problems.append(f"page error: {error}"))
        await page.add_init_script(_RECORD_VIOLATIONS)
        await page.goto(url)
        await page.wait_for_selector(_HEADERS_EDITOR)
        return tab

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _websocket(self, socket: WebSocket) -> None:
        self.requests.append(socket.url)
        socket.on("framesent", lambda payload: self.sent_frames.append(str(payload)))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    async def editor_text(self, selector: str) -> str:
        """The text of one of GraphiQL's CodeMirror editors."""
        text: str = await self.page.evaluate(
            "(selector) => document.querySelector(selector).CodeMirror.getValue()", selector
        )
        return text

    async def headers_text(self) -> str:
        return await self.editor_text(_HEADERS_EDITOR)

    async def paste_token(self, token: str) -> None:
        """Paste ``token`` where the headers pane's default text wants it: after ``Bearer ``."""
        await self.page.click(_HEADERS_EDITOR)
        for key in ("Control+Home", "ArrowDown", "End", "ArrowLeft"):
            await self.page.keyboard.press(key)
        await self.page.keyboard.insert_text(token)

    async def write_operation(self, document: str) -> None:
        """Replace the query editor's text with ``document``, and wait until GraphiQL has parsed
        it (it decides between HTTP and the WebSocket on that parse)."""
        await self.page.click(_QUERY_EDITOR)
        await self.page.keyboard.press("Control+A")
        await self.page.keyboard.insert_text(document)
        await self.page.wait_for_function(
            """(selector) => {
                const editor = document.querySelector(selector).CodeMirror;
                return editor.documentAST?.loc?.source.body === editor.getValue();
            }""",
            arg=_QUERY_EDITOR,
        )

    async def run(self) -> None:
        """Press the run button."""
        await self.page.click(".graphiql-execute-button")

    async def result(self) -> dict[str, Any]:
        """The result pane's JSON, once it shows one."""
        await self.page.wait_for_function(
            "(selector) => document.querySelector(selector).CodeMirror.getValue() !== ''",
            arg=_RESULT,
        )
        shown: dict[str, Any] = json.loads(await self.editor_text(_RESULT))
        return shown

    async def open_and_close_settings(self) -> None:
        """Open the settings dialog (it inserts GraphiQL's one inline style) and close it."""
        await self.page.click("button[aria-label='Open settings dialog']")
        await self.page.wait_for_selector("[role=dialog]")
        await self.page.keyboard.press("Escape")
        await self.page.wait_for_selector("[role=dialog]", state="detached")

    async def csp_violations(self) -> list[str]:
        violations: list[str] = await self.page.evaluate("window.__cspViolations")
        return violations

    async def stored(self) -> dict[str, dict[str, str]]:
        """Everything the page keeps in ``localStorage`` and ``sessionStorage``."""
        stored: dict[str, dict[str, str]] = await self.page.evaluate(
            "({local: {...localStorage}, session: {...sessionStorage}})"
        )
        return stored
