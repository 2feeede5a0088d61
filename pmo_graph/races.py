"""Fire many GraphQL requests at a served app at the same moment, and read what each answered.

A rule that spans rows (shares that may not pass 1, one email per person, no loop of
dependencies, one winner among decisions) holds only if the database enforces it: a check in
Python passes for every request that reads before any of them writes. ``race`` gives each
request its own connection, opens them all first, and releases every request at once, so the
requests reach the server together; the test then asserts the rule on what was stored.

``pmo_graph.testing`` exposes it to plugin suites as the ``pmo_race`` fixture::

    async def test_one_wins(pmo_race, org):
        race = await pmo_race(org.admin, DECIDE, [{"input": {...}}] * 10)
        race.assert_clean()
        assert len(race.accepted) == 1
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

#: What ``Answer.outcome`` says of a request that committed without a userError.
ACCEPTED = "ACCEPTED"


@dataclass(frozen=True)
class Answer:
    """One request's HTTP status and JSON body."""

    status: int
    body: dict[str, Any]

    @property
    def errors(self) -> list[dict[str, Any]]:
        """The GraphQL errors of the response."""
        return list(self.body.get("errors") or [])

    @property
    def error_codes(self) -> list[str]:
        """The ``extensions.code`` of each GraphQL error."""
        return [str((e.get("extensions") or {}).get("code")) for e in self.errors]

    @property
    def payload(self) -> dict[str, Any] | None:
        """The payload of a one-field mutation (``data``'s only value), if it has one."""
        data = self.body.get("data")
        if not isinstance(data, dict) or len(data) != 1:
            return None
        (value,) = data.values()
        return value if isinstance(value, dict) else None

    @property
    def user_errors(self) -> list[dict[str, Any]]:
        """The payload's userErrors."""
        payload = self.payload
        return list(payload.get("userErrors") or []) if payload else []

    @property
    def accepted(self) -> bool:
        """HTTP 200, no GraphQL error and no userError: the write committed."""
        return self.status == 200 and not self.errors and not self.user_errors

    @property
    def outcome(self) -> str:
        """``ACCEPTED``, else the first userError's code, else the first error's code, else
        ``HTTP <status>``."""
        if self.accepted:
            return ACCEPTED
        if self.user_errors:
            return str(self.user_errors[0].get("code"))
        if self.error_codes:
            return self.error_codes[0]
        return f"HTTP {self.status}"


@dataclass(frozen=True)
class Race:
    """What every request of one race answered, in the order they were given."""

    answers: list[Answer]

    @property
    def accepted(self) -> list[Answer]:
        """The requests that committed."""
        return [a for a in self.answers if a.accepted]

    def outcomes(self) -> Counter[str]:
        """How many requests ended each way (``ACCEPTED``, a userError code, an error code)."""
        return Counter(a.outcome for a in self.answers)

    def refused_with(self, code: str) -> list[Answer]:
        """The requests refused with the userError (or error) ``code``."""
        return [a for a in self.answers if a.outcome == code]

    def assert_clean(self, *allowed: str) -> None:
        """Every request was accepted or refused with one of the ``allowed`` codes: no 5xx, no
        ``INTERNAL_SERVER_ERROR``, nothing unexpected."""
        unexpected = {
            outcome: count
            for outcome, count in self.outcomes().items()
            if outcome != ACCEPTED and outcome not in allowed
        }
        assert not unexpected, f"unexpected outcomes {unexpected} in {self.outcomes()}"


@dataclass(frozen=True)
class Shot:
    """One request of a race: who sends it, the document and its variables."""

    token: str | None
    document: str
    variables: dict[str, Any] | None = None
    #: Sent this many seconds after the others are released. Two requests released together
    #: meet at the database in one order only; a test sweeps this offset over a few
    #: milliseconds, round after round, to meet them in every order.
    stagger_seconds: float = 0.0


async def race(base_url: str, shots: Sequence[Shot], *, wait_seconds: float = 60.0) -> Race:
    """Send every shot to the app served at ``base_url`` at the same moment.

    Each shot gets a client and a connection of its own, opened beforehand with a
    ``GET /healthz``; once all are open, every request is released together. The answers come
    back in the order of ``shots``.
    """
    opened = 0
    all_open = asyncio.Event()

    async def fire(shot: Shot) -> Answer:
        nonlocal opened
        headers = {"Authorization": f"Bearer {shot.token}"} if shot.token else {}
        async with httpx.AsyncClient(base_url=base_url, timeout=wait_seconds) as client:
            (await client.get("/healthz")).raise_for_status()
            opened += 1
            if opened == len(shots):
                all_open.set()
            await asyncio.wait_for(all_open.wait(), wait_seconds)
            if shot.stagger_seconds > 0:
                await asyncio.sleep(shot.stagger_seconds)
            body: dict[str, Any] = {"query": shot.document}
            if shot.variables is not None:
                body["variables"] = shot.variables
            response = await client.post("/graphql", json=body, headers=headers)
            try:
                parsed = response.json()
            except ValueError:
                parsed = {"text": response.text}
            return Answer(response.status_code, parsed if isinstance(parsed, dict) else {})

    return Race(list(await asyncio.gather(*(fire(shot) for shot in shots))))
