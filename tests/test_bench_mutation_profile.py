"""bench.profile_samples reads py-spy's collapsed stacks: the share of the busy samples that
end in each library, the event loop's waits left out."""

from __future__ import annotations

from pathlib import Path

from bench.profile_samples import libraries

STACKS = """\
run (uvicorn/main.py:1);select (selectors.py:468) 50
run (uvicorn/main.py:1);execute (sqlalchemy/engine/base.py:10) 6
run (uvicorn/main.py:1);get (sqlalchemy/orm/session.py:20);fetch (asyncpg/prepared_stmt.py:5) 3
run (uvicorn/main.py:1);raise_risk (pmo_graph_portfolio/risks.py:370) 1
"""


def test_shares_are_of_the_busy_samples_by_the_innermost_frames_library(tmp_path: Path) -> None:
    collapsed = tmp_path / "prof.txt"
    collapsed.write_text(STACKS)

    assert libraries(collapsed) == [
        ("sqlalchemy", 0.6),
        ("asyncpg", 0.3),
        ("pmo_graph_portfolio", 0.1),
    ]
