"""The functions registered on SQLite connections print what the resolvers print: a stored
timestamp as ``isoformat()`` in UTC, a cursor as ``encode_cursor`` of the row's key."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pmo_graph.db.sqlite_functions import register_functions
from pmo_graph.graphql.compiled.cursors import Keyset, cursor_sql
from pmo_graph.graphql.compiled.dialect import SQLITE
from pmo_graph.graphql.pagination import encode_cursor


@pytest.fixture
def connection(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(tmp_path / "functions.sqlite3")
    register_functions(connection)
    try:
        yield connection
    finally:
        connection.close()


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 2, 3, 4, 5, tzinfo=UTC),
        datetime(2026, 11, 2, 3, 4, 5, 120, tzinfo=UTC),
        datetime(1999, 1, 9, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
def test_a_timestamp_as_sqlalchemy_stores_it_prints_as_isoformat(
    connection: sqlite3.Connection, moment: datetime
) -> None:
    stored = moment.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's text on SQLite
    printed = connection.execute(f"SELECT {SQLITE.timestamp_text('?', True)}", (stored,))
    assert printed.fetchone() == (moment.isoformat(),)


def test_a_timestamp_written_by_sql_prints_the_same_way(connection: sqlite3.Connection) -> None:
    connection.execute("CREATE TABLE t (at TEXT)")
    connection.execute("INSERT INTO t VALUES (CURRENT_TIMESTAMP), (NULL)")
    rows = connection.execute(f"SELECT at, {SQLITE.timestamp_text('at', True)} FROM t").fetchall()
    (stored, printed), (_, missing) = rows
    assert printed == datetime.fromisoformat(stored).replace(tzinfo=UTC).isoformat()
    assert printed.endswith("+00:00")
    assert "." not in printed
    assert missing is None


@pytest.mark.parametrize(
    "key",
    [
        ('A"q\\b', 7),
        ("A\ttab\u0001\u001f\u007f", 1),
        ("Aé😀 / <>&\u2028", 2**40),
        ("2026-11-02", 3),
    ],
)
def test_a_cursor_in_sql_is_encode_cursor_of_the_key(
    connection: sqlite3.Connection, key: tuple[str, int]
) -> None:
    connection.execute("CREATE TABLE r (code TEXT, id INTEGER)")
    connection.execute("INSERT INTO r VALUES (?, ?)", key)
    sql = cursor_sql(Keyset(("code", "id"), descending=False), "r", SQLITE)
    assert connection.execute(f"SELECT {sql} FROM r").fetchone() == (encode_cursor(list(key)),)


def test_a_date_key_is_the_iso_text_sqlite_keeps(connection: sqlite3.Connection) -> None:
    connection.execute("CREATE TABLE r (day TEXT, id INTEGER)")
    connection.execute("INSERT INTO r VALUES ('2026-11-02', 5)")
    sql = cursor_sql(Keyset(("day", "id"), descending=True), "r", SQLITE)
    expected = encode_cursor([date(2026, 11, 2), 5])
    assert connection.execute(f"SELECT {sql} FROM r").fetchone() == (expected,)
