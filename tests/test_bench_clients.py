"""The benchmark's real client documents (bench/clients.py, bench/peers/postgraphile_clients.py,
bench/report.py): their variables filled from the data, PostGraphile's answers brought back to
pmo-graph's shape, and the report's verdicts, from figures made up here. The benchmark itself
is not part of the suite."""

from __future__ import annotations

import base64
import json

from bench.clients import DOCUMENT_BY_NAME, After, first_page
from bench.peers import postgraphile_clients
from bench.report import AGAINST, REFERENCE, RESOLVERS, client_table, goals, peer_settings
from bench.results import Figures, PeerResult
from pmo_graph.ids import to_global_id

IDS = {"Portfolio": [11, 12], "Project": [21, 22, 23], "Benefit": [31], "User": [7]}


def _pg_node(table: str, key: int) -> str:
    return base64.b64encode(json.dumps([table, key], separators=(",", ":")).encode()).decode()


def test_a_second_page_takes_its_node_and_leaves_its_cursor_to_the_first_page() -> None:
    document = DOCUMENT_BY_NAME["PortfolioProjectsPaginationQuery"]
    request = document.request(IDS, 1)
    assert request.variables["id"] == to_global_id("Portfolio", request.keys["id"])
    assert request.variables["count"] == 20
    after = request.variables["cursor"]
    assert after == After("PortfolioProjectsQuery", ("node", "projects", "pageInfo", "endCursor"))
    first = first_page(request, document, after)
    assert first.document == DOCUMENT_BY_NAME["PortfolioProjectsQuery"].text
    assert first.variables == {"id": request.variables["id"], "count": 20}


def test_postgraphile_is_asked_by_its_own_ids_and_keys() -> None:
    request = DOCUMENT_BY_NAME["ProjectCardRefetchQuery"].request(IDS, 0)
    body = postgraphile_clients.body("ProjectCardRefetchQuery", request)
    assert body["variables"] == {"nodeId": _pg_node("projects", request.keys["id"])}
    assert "node(nodeId: $nodeId)" in body["query"]

    board = DOCUMENT_BY_NAME["StageBoardQuery"].request(IDS, 0)
    variables = postgraphile_clients.body("StageBoardQuery", board)["variables"]
    assert variables == {
        "viewer": "7",
        "portfolio": str(board.keys["portfolio"]),
        "stage": "ACTIVE",
        "count": 50,
    }


def test_postgraphile_answers_come_back_in_pmo_graphs_shape() -> None:
    answer = {
        "data": {
            "viewer": {
                "nodeId": _pg_node("users", 7),
                "name": "Bench",
                "organisation": {"nodeId": _pg_node("organisations", 1), "name": "O"},
            },
            "node": {
                "nodeId": _pg_node("benefits", 31),
                "__typename": "Benefit",
                "updatedAt": "2026-11-25T12:00:00.000000+00:00",
                "measurements": {
                    "__typename": "BenefitMeasurementsConnection",
                    "edges": [
                        {"node": {"nodeId": _pg_node("benefit_measurements", 5), "value": 1}}
                    ],
                },
            },
        }
    }
    assert postgraphile_clients.normalise("StageBoardQuery", answer) == {
        "viewer": {
            "user": {"id": to_global_id("User", 7), "name": "Bench"},
            "organisation": {"id": to_global_id("Organisation", 1), "name": "O"},
        },
        "node": {
            "id": to_global_id("Benefit", 31),
            "__typename": "Benefit",
            "updatedAt": "2026-11-25T12:00:00+00:00",
            "measurements": {
                "__typename": "BenefitMeasurementConnection",
                "edges": [{"node": {"value": 1}}],
            },
        },
    }


def test_every_client_document_has_postgraphiles_for_the_same_screen() -> None:
    assert set(postgraphile_clients.DOCUMENTS) == set(DOCUMENT_BY_NAME)


def _client_results() -> list[PeerResult]:
    return [
        PeerResult(RESOLVERS, {"ProjectListQuery": Figures(statements=2.0)}),
        PeerResult(
            REFERENCE,
            {
                "ProjectListQuery": Figures(statements=1.0, p50_ms=2.0, rps_8=300.0),
                "StatusHistoryQuery": Figures(statements=2.0, p50_ms=9.0, rps_8=50.0),
            },
            settings={"jit": "off"},
            jit_functions=0,
        ),
        PeerResult(
            AGAINST,
            {
                "ProjectListQuery": Figures(statements=1.0, p50_ms=4.0, rps_8=200.0),
                "StatusHistoryQuery": Figures(statements=1.0, p50_ms=3.0, rps_8=100.0),
            },
            settings={"NODE_ENV": "production", "jit": "off"},
            jit_functions=0,
        ),
    ]


def test_the_client_table_says_which_documents_took_the_compiled_path_and_the_ratios() -> None:
    rows = [line for line in client_table(_client_results()).splitlines() if line.startswith("| `")]
    assert rows == [
        "| `ProjectListQuery` | yes | 2 | 1 st · 2.0 ms · 300/s · 1.50x | 1 st · 4.0 ms · 200/s |",
        "| `StatusHistoryQuery` | no | - | 2 st · 9.0 ms · 50/s · 0.50x | 1 st · 3.0 ms · 100/s |",
    ]


def test_the_client_goals_count_the_documents_that_meet_them() -> None:
    lines = [line for line in goals(_client_results(), cores=2) if "real client" in line]
    assert lines == [
        "real client documents on the one-statement path (PostgreSQL): 1 of 2: not met",
        f"real client documents at ≥ 1.0x {AGAINST}'s throughput with 8 clients: 1 of 2 "
        "(lowest 0.50x): not met",
    ]


def test_the_report_says_how_each_peer_ran() -> None:
    assert peer_settings(_client_results())[1:] == [
        f"- {REFERENCE}: jit=off; functions JIT-compiled in its checks: 0",
        f"- {AGAINST}: NODE_ENV=production, jit=off; functions JIT-compiled in its checks: 0",
    ]
