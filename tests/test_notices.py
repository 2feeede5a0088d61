"""Notices as they travel in NOTIFY payloads: split under PostgreSQL's size limit, never lost."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from pmo_graph.realtime.notices import (
    MAX_PAYLOAD_BYTES,
    Notice,
    decode_payload,
    encode_payloads,
)

AT = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def _notice(number: int, **data: object) -> Notice:
    return Notice(7, "risk.updated", "Risk", number, data, actor_user_id=3, occurred_at=AT)


def test_a_notice_survives_the_round_trip() -> None:
    notice = _notice(1, project=12, portfolio=None, changed=["impact", "score"])
    (payload,) = encode_payloads([notice])
    assert decode_payload(payload) == [notice]


def test_many_notices_are_split_into_payloads_under_the_limit_in_order() -> None:
    notices = [_notice(n, changed=["x" * 40] * 5) for n in range(400)]
    payloads = list(encode_payloads(notices))
    assert len(payloads) > 1
    assert all(len(payload.encode()) <= MAX_PAYLOAD_BYTES for payload in payloads)
    assert [n for payload in payloads for n in decode_payload(payload)] == notices


def test_a_notice_too_large_alone_travels_without_its_data() -> None:
    huge = _notice(9, projects=list(range(5000)))
    small = _notice(10, project=1)
    payloads = list(encode_payloads([huge, small]))
    received = [n for payload in payloads for n in decode_payload(payload)]
    assert [(n.entity_pk, dict(n.data)) for n in received] == [(9, {}), (10, {"project": 1})]
    assert all(len(payload.encode()) <= MAX_PAYLOAD_BYTES for payload in payloads)


def test_the_payload_is_compact_json() -> None:
    (payload,) = encode_payloads([_notice(1, project=2)])
    assert orjson.loads(payload) == [
        {
            "o": 7,
            "n": "risk.updated",
            "t": "Risk",
            "k": 1,
            "d": {"project": 2},
            "a": 3,
            "at": "2026-11-26T09:30:00+00:00",
        }
    ]
