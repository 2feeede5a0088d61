"""Which media type a GraphQL response goes out as, from the client's ``Accept`` header.

The GraphQL over HTTP specification names two: ``application/graphql-response+json``, whose
status codes say what went wrong (400 for a document that does not parse or validate), and
``application/json``, the legacy one, answered 200 for every well-formed request. A client that
names the first (Apollo Client 4, urql, graphql-http) gets it; one that sends no ``Accept``,
``*/*`` or ``application/*`` gets ``application/json``, as the specification's legacy rules say;
one that accepts neither gets 406. q-values are honoured: the highest wins, a more specific
range (``application/json``) decides a type's q over a broader one (``application/*``,
``*/*``), and ``q=0`` refuses a type.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
#: What the server answers in, the newer first.
OFFERED = (GRAPHQL_RESPONSE_JSON, JSON)

NOT_ACCEPTABLE_MESSAGE = (
    "The Accept header allows neither application/graphql-response+json nor application/json; "
    "send Accept: application/graphql-response+json (or application/json)."
)


@dataclass(frozen=True)
class MediaRange:
    """One entry of an ``Accept`` header: ``type/subtype`` (either may be ``*``) and its q."""

    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int | None:
        """How closely this range names ``media_type``: 2 exactly, 1 by ``type/*``, 0 by ``*/*``,
        None when it does not match it."""
        wanted_type, wanted_subtype = media_type.split("/", 1)
        if self.type == "*":
            return 0 if self.subtype == "*" else None
        if self.type != wanted_type:
            return None
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == wanted_subtype else None


def media_ranges(accept: str) -> Iterator[MediaRange]:
    """The well-formed entries of an ``Accept`` header (a malformed one is skipped)."""
    for entry in accept.split(","):
        name, *parameters = (part.strip() for part in entry.split(";"))
        kind, slash, subtype = name.lower().partition("/")
        if not slash or not kind or not subtype:
            continue
        q = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        yield MediaRange(kind, subtype, q)


def _quality(ranges: list[MediaRange], media_type: str) -> tuple[float, int]:
    """The q the most specific matching range gives ``media_type``, and that specificity."""
    best: tuple[int, float] | None = None
    for media_range in ranges:
        specificity = media_range.specificity(media_type)
        if specificity is not None and (best is None or specificity > best[0]):
            best = (specificity, media_range.q)
    if best is None:
        return (0.0, -1)
    return (best[1], best[0])


def negotiate(accept: str | None) -> str | None:
    """The media type to answer a GraphQL request in, or None when the client accepts neither.

    At equal q the type named more specifically wins; named equally, ``*/*`` and
    ``application/*`` mean ``application/json`` (the legacy default) while both named outright
    mean ``application/graphql-response+json``.
    """
    if accept is None or not accept.strip():
        return JSON
    ranges = list(media_ranges(accept))
    if not ranges:
        return JSON  # nothing readable: as if no Accept was sent
    scored = []
    for media_type in OFFERED:
        q, specificity = _quality(ranges, media_type)
        if q > 0:
            preferred = (media_type == GRAPHQL_RESPONSE_JSON) == (specificity == 2)
            scored.append((q, specificity, preferred, media_type))
    if not scored:
        return None
    return max(scored)[3]
