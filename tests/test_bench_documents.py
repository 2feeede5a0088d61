"""The benchmark's real client documents (bench/frontend/documents, relay-compiler's and Apollo
Client's output) are valid against the app's schema, and each says what its variables are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, build_schema, parse, validate

REPO = Path(__file__).resolve().parent.parent
DOCUMENTS = REPO / "bench" / "frontend" / "documents"
#: schema.graphql is the app's schema: test_cli checks it is what `pmo-graph schema print` prints.
SCHEMA = build_schema((REPO / "schema.graphql").read_text())
KINDS = {"node", "value", "endCursor"}


def _documents() -> list[Path]:
    return sorted(DOCUMENTS.glob("*.graphql"))


def test_the_fixture_has_its_documents() -> None:
    names = {path.stem for path in _documents()}
    assert len(names) >= 12
    assert {
        "PortfolioProjectsPaginationQuery",
        "ProjectCardRefetchQuery",
        "StageBoardQuery",
    } <= names


@pytest.mark.parametrize("path", _documents(), ids=lambda path: path.stem)
def test_a_client_document_validates_against_the_schema(path: Path) -> None:
    document = parse(path.read_text())
    assert validate(SCHEMA, document) == []
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert [o.name.value for o in operations if o.name] == [path.stem]


@pytest.mark.parametrize("path", _documents(), ids=lambda path: path.stem)
def test_a_client_document_says_what_each_of_its_variables_must_be(path: Path) -> None:
    meta = json.loads(path.with_suffix(".json").read_text())
    (operation,) = [
        d for d in parse(path.read_text()).definitions if isinstance(d, OperationDefinitionNode)
    ]
    declared = {v.variable.name.value for v in operation.variable_definitions or ()}
    assert set(meta["variables"]) == declared
    for name, spec in meta["variables"].items():
        assert len(spec) == 1, f"{path.stem} ${name}: {spec}"
        assert set(spec) <= KINDS, f"{path.stem} ${name}: {spec}"
        if "node" in spec:
            assert SCHEMA.get_type(spec["node"]) is not None
        if "endCursor" in spec:
            first_page = spec["endCursor"]["document"]
            assert (DOCUMENTS / f"{first_page}.graphql").exists(), first_page


PEER = REPO / "bench" / "frontend" / "postgraphile"


def test_postgraphiles_documents_for_the_same_screens_validate_against_its_schema() -> None:
    schema = build_schema((PEER / "schema.graphql").read_text())
    theirs = sorted((PEER / "documents").glob("*.graphql"))
    assert {path.stem for path in theirs} == {path.stem for path in _documents()}
    for path in theirs:
        assert validate(schema, parse(path.read_text())) == [], path.stem
