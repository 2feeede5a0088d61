"""Text that must be unique is unique as a reader sees it: look-alikes are the same value."""

from __future__ import annotations

import pytest

from pmo_graph.canonical import canonical_text
from pmo_graph.testing import TestOrganisation

CREATE_PROJECT = """
mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id code } userErrors { field message code } } }
"""
CREATE_PERSON = """
mutation($i: CreatePersonInput!) { createPerson(input: $i) { person { id email } userErrors { field message code } } }
"""

LOOK_ALIKES = {
    "a zero-width space": "FIN-042\u200b",
    "a zero-width joiner inside": "FIN\u200d-042",
    "a byte-order mark": "\ufeffFIN-042",
    "a soft hyphen": "FIN-\u00ad042",
    "fullwidth letters": "\uff26\uff29\uff2e-042",
    "a fullwidth hyphen-minus": "FIN\uff0d042",
    "a Unicode hyphen": "FIN\u2010042",
    "a non-breaking hyphen": "FIN\u2011042",
    "an en dash": "FIN\u2013042",
    "a minus sign": "FIN\u2212042",
}


@pytest.mark.parametrize("look_alike", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_every_look_alike_has_the_plain_form(look_alike: str) -> None:
    assert canonical_text(look_alike) == "FIN-042"


def test_plain_text_and_case_are_kept() -> None:
    assert canonical_text("  Fin-042 ") == "Fin-042"
    assert canonical_text("Zürich Ω") == "Zürich Ω"


async def test_a_code_that_only_looks_different_is_a_duplicate(org: TestOrganisation) -> None:
    await org.admin.mutate(CREATE_PROJECT, {"i": {"code": "FIN-042", "name": "Ledger"}})
    for look_alike in LOOK_ALIKES.values():
        data = await org.admin.query(CREATE_PROJECT, {"i": {"code": look_alike, "name": "Twin"}})
        errors = data["createProject"]["userErrors"]
        assert [(e["code"], e["field"]) for e in errors] == [("DUPLICATE", ["code"])], look_alike
    listed = await org.admin.query("{ projects { nodes { code } } }")
    assert listed["projects"]["nodes"] == [{"code": "FIN-042"}]


async def test_a_code_is_stored_in_its_plain_form(org: TestOrganisation) -> None:
    created = await org.admin.mutate(
        CREATE_PROJECT, {"i": {"code": "\uff26\uff29\uff2e\u2010007\u200b", "name": "Wide"}}
    )
    assert created["project"]["code"] == "FIN-007"


async def test_an_email_that_only_looks_different_is_a_duplicate(org: TestOrganisation) -> None:
    first = await org.admin.mutate(
        CREATE_PERSON, {"i": {"name": "Ann", "email": "Ann.Lee@Example.org"}}
    )
    assert first["person"]["email"] == "ann.lee@example.org"
    for look_alike in (
        "ann.lee@example.org\u200b",
        "\ufeffann.lee@example.org",
        "\uff41\uff4e\uff4e.lee@example.org",
    ):
        data = await org.admin.query(CREATE_PERSON, {"i": {"name": "Twin", "email": look_alike}})
        errors = data["createPerson"]["userErrors"]
        assert [(e["code"], e["field"]) for e in errors] == [("DUPLICATE", ["email"])], look_alike


CREATE_TEMPLATE = """
mutation { createProjectTemplate(input: {name: "Std", milestones: [{name: "Kick-off", offsetDays: 0}]}) { projectTemplate { id } userErrors { code } } }
"""
FROM_TEMPLATE = """
mutation($i: CreateProjectFromTemplateInput!) { createProjectFromTemplate(input: $i) { project { code } userErrors { field code } } }
"""


async def test_a_project_from_a_template_has_its_code_in_the_plain_form(
    org: TestOrganisation,
) -> None:
    template = (await org.admin.mutate(CREATE_TEMPLATE))["projectTemplate"]["id"]
    made = {"templateId": template, "name": "From template", "startDate": "2027-01-04"}
    created = await org.admin.mutate(FROM_TEMPLATE, {"i": {**made, "code": "LK\u20101"}})
    assert created["project"]["code"] == "LK-1"
    for look_alike in ("LK-1", "LK-1\u200b", "\uff2c\uff2b-1"):
        data = await org.admin.query(FROM_TEMPLATE, {"i": {**made, "code": look_alike}})
        errors = data["createProjectFromTemplate"]["userErrors"]
        assert [(e["code"], e["field"]) for e in errors] == [("DUPLICATE", ["code"])], look_alike
