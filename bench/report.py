"""The figures as a table (printed and written to docs/performance.md), with the goals checked."""

from __future__ import annotations

import math
import os
import platform
import subprocess
from collections.abc import Sequence
from importlib.metadata import version

from bench.cases import CASES
from bench.run import PeerResult

REFERENCE = "pmo-graph (PostgreSQL)"
COLUMNS = (
    "server",
    "statements",
    "p50 ms",
    "p99 ms",
    "req/s 8 clients",
    "req/s 32 clients",
    "CPU ms/req",
    "peak RSS MB",
    "p50 vs pmo-graph",
    "req/s (8) vs pmo-graph",
)


def _number(value: float | None, places: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{places}f}"


def tables(results: Sequence[PeerResult]) -> str:
    """One Markdown table per case: a row per server."""
    lines: list[str] = []
    reference = next((r for r in results if r.name == REFERENCE), None)
    for case in CASES:
        rows = [r for r in results if case.name in r.figures]
        if not rows:
            continue
        lines += [f"**{case.name}: {case.title}**", ""]
        lines.append("| " + " | ".join(COLUMNS) + " |")
        lines.append("| --- |" + " ---: |" * (len(COLUMNS) - 1))
        ours = reference.figures.get(case.name) if reference else None
        for result in rows:
            f = result.figures[case.name]
            if not f.equal:
                lines.append(
                    f"| {result.name} | answers differ: {f.note} |" + " |" * (len(COLUMNS) - 2)
                )
                continue
            p50_ratio = f.p50_ms / ours.p50_ms if ours and ours.p50_ms else math.nan
            rps_ratio = f.rps_8 / ours.rps_8 if ours and ours.rps_8 else math.nan
            cells = [
                result.name,
                _number(f.statements),
                _number(f.p50_ms),
                _number(f.p99_ms),
                _number(f.rps_8),
                _number(f.rps_32),
                _number(f.cpu_ms),
                _number(f.peak_rss_mb, 0),
                _number(p50_ratio, 2) + "x",
                _number(rps_ratio, 2) + "x",
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
        notes = [
            f"- {r.name}: {r.figures[case.name].note}"
            for r in rows
            if r.figures[case.name].equal and r.figures[case.name].note
        ]
        if notes:
            lines += [*notes, ""]
    return "\n".join(lines)


def _figure(results: Sequence[PeerResult], name: str, case: str) -> tuple[float, float] | None:
    for result in results:
        if result.name.startswith(name) and case in result.figures and result.figures[case].equal:
            f = result.figures[case]
            return f.p50_ms, f.rps_8
    return None


def goals(results: Sequence[PeerResult]) -> list[str]:
    """The issue's goals, each met or not, with the figures behind it."""
    out = []
    for name in ("Q1", "Q4"):
        ours = _figure(results, REFERENCE, name)
        pg = _figure(results, "PostGraphile", name)
        limit = _figure(results, "limit (hand-written SQL)", name)
        if ours and pg:
            ratio = ours[1] / pg[1]
            out.append(
                f"{name}: throughput vs PostGraphile {ratio:.2f}x (goal ≥ 1.0): "
                + ("met" if ratio >= 1 else "not met")
            )
        else:
            out.append(f"{name}: throughput vs PostGraphile: not measured")
        if ours and limit:
            ratio = ours[0] / limit[0]
            out.append(
                f"{name}: p50 vs the hand-written SQL limit {ratio:.2f}x (goal ≤ 2.0): "
                + ("met" if ratio <= 2 else "not met")
            )
        else:
            out.append(f"{name}: p50 vs the limit: not measured")
    for case in CASES:
        ours = _figure(results, REFERENCE, case.name)
        naive = _figure(results, "naive (strawberry + lazy SQLAlchemy)", case.name)
        if ours and naive:
            ratio = ours[1] / naive[1]
            out.append(
                f"{case.name}: throughput vs naive {ratio:.1f}x (goal ≥ 10): "
                + ("met" if ratio >= 10 else "not met")
            )
    return out


def _command_version(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        return "not found"


def machine() -> list[str]:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {memory:.0f} GiB",
        f"- Python {platform.python_version()}; "
        f"strawberry-graphql {version('strawberry-graphql')}, "
        f"graphql-core {version('graphql-core')}, SQLAlchemy {version('sqlalchemy')}, "
        f"asyncpg {version('asyncpg')}, uvicorn {version('uvicorn')} "
        f"(uvloop {version('uvloop')}, httptools {version('httptools')})",
        f"- PostgreSQL: {_command_version(['psql', '--version'])}; Node.js "
        f"{_command_version(['node', '--version'])}",
    ]
