"""The real client documents in PostGraphile's terms (``bench/frontend/postgraphile/documents``:
the same screens' fragments compiled by the same tools against PostGraphile's schema), the
requests for them made from pmo-graph's, and their answers brought back to pmo-graph's shape.

PostGraphile's global ids (``nodeId``) are base64 of ``["table", key]``; pmo-graph's (``id``)
of ``Type:key``. Its connections are named after the table's plural (``ProjectsConnection``).
Its cursors are its own: the bench compares answers without them.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, parse, print_ast

from bench.cases import Request
from bench.clients import DOCUMENT_BY_NAME
from pmo_graph.ids import to_global_id

FOLDER = Path(__file__).resolve().parent.parent / "frontend" / "postgraphile" / "documents"

#: pmo-graph's types by PostGraphile's table, for the ids; the tables whose rows have no id in
#: pmo-graph (a measurement, a contribution) map to None, and their nodeId is dropped (relay-
#: compiler selects the nodeId of every Node, and PostGraphile makes every table's row one).
TYPES: dict[str, str | None] = {
    "portfolios": "Portfolio",
    "programmes": "Programme",
    "projects": "Project",
    "status_reports": "StatusReport",
    "risks": "Risk",
    "people": "Person",
    "users": "User",
    "organisations": "Organisation",
    "benefits": "Benefit",
    "milestones": "Milestone",
    "assignments": "Assignment",
    "benefit_measurements": None,
    "benefit_contributions": None,
}
TABLES = {type_name: table for table, type_name in TYPES.items() if type_name}

#: PostGraphile's connection and edge types by pmo-graph's name for them.
TYPENAMES = {
    f"{plural}{kind}": f"{singular}{kind}"
    for plural, singular in (
        ("Projects", "Project"),
        ("Programmes", "Programme"),
        ("StatusReports", "StatusReport"),
        ("BenefitMeasurements", "BenefitMeasurement"),
    )
    for kind in ("Connection", "Edge")
}


#: The DateTime fields the documents select: PostGraphile 5 prints microseconds even when they
#: are 0 (``12:00:00.000000+00:00``), pmo-graph and PostGraphile 4 do not.
DATETIMES = frozenset({"updatedAt", "createdAt", "submittedAt", "recordedAt"})


def node_id(type_name: str, key: int) -> str:
    """PostGraphile's global id of pmo-graph's ``type_name`` row ``key``."""
    return base64.b64encode(
        json.dumps([TABLES[type_name], key], separators=(",", ":")).encode()
    ).decode()


def _ours(node: str) -> str | None:
    """pmo-graph's global id for PostGraphile's ``node``, None for a row pmo-graph gives none."""
    table, key = json.loads(base64.b64decode(node))
    type_name = TYPES[table]
    return to_global_id(type_name, key) if type_name else None


def _load() -> dict[str, tuple[str, dict[str, str]]]:
    """Each document's text and the types of its variables, by operation name."""
    found = {}
    for path in sorted(FOLDER.glob("*.graphql")):
        text = path.read_text()
        (operation,) = [
            d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode)
        ]
        types = {
            v.variable.name.value: print_ast(v.type) for v in operation.variable_definitions or ()
        }
        found[path.stem] = (text, types)
    return found


DOCUMENTS = _load()


def body(name: str, request: Request) -> dict[str, Any]:
    """The request for the document ``name`` in PostGraphile's terms: its nodes by
    PostGraphile's ids (or keys, where its document filters by a key), the rest as given."""
    text, types = DOCUMENTS[name]
    ours = DOCUMENT_BY_NAME[name]
    variables: dict[str, Any] = {}
    for variable, of_type in types.items():
        # relay-compiler names the refetch queries' variable after the id field: nodeId.
        source = "id" if variable == "nodeId" else variable
        if source in ours.node_types:
            key = request.keys[source]
            node = node_id(ours.node_types[source], key)
            variables[variable] = str(key) if of_type.startswith("BigInt") else node
        elif variable == "viewer":
            variables[variable] = str(request.keys["viewer"])
        elif variable == "stage":
            # PostGraphile's conditions are equalities: the one stage of pmo-graph's list.
            (variables[variable],) = request.variables["stages"]
        else:
            variables[variable] = request.variables[source]
    return {"query": text, "variables": variables}


def _back(value: Any) -> Any:
    if isinstance(value, list):
        return [_back(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "nodeId":
            ours = _ours(item)
            if ours is not None:
                out["id"] = ours
        elif key == "__typename":
            out[key] = TYPENAMES.get(item, item)
        elif key in DATETIMES and isinstance(item, str):
            out[key] = datetime.fromisoformat(item).isoformat()
        else:
            out[key] = _back(item)
    return out


def normalise(name: str, answer: dict[str, Any]) -> Any:
    """PostGraphile's answer to the document ``name`` in pmo-graph's shape."""
    data = _back(answer.get("data"))
    if isinstance(data, dict) and isinstance(data.get("viewer"), dict):
        # pmo-graph's viewer is the user and their organisation; PostGraphile's, the user row.
        user = dict(data["viewer"])
        organisation = user.pop("organisation")
        data["viewer"] = {"user": user, "organisation": organisation}
    return data
