"""RISKS_ASSESSED and RISKS_OWNED, finding by finding."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from portfolio_helpers import make_person, make_project, organisation, risk

from pmo_graph.testing import TestOrganisation

MakeOrg = Callable[..., Awaitable[TestOrganisation]]

COMPLIANCE = """
query($id: ID!) { node(id: $id) { ... on Project { compliance(asOf: "2026-11-20") {
  findings { standard { key } passed message } } } } }
"""


async def _findings(org: TestOrganisation, project: str) -> dict[str, tuple[bool, str]]:
    data = await org.admin.query(COMPLIANCE, {"id": project})
    return {
        f["standard"]["key"]: (f["passed"], f["message"])
        for f in data["node"]["compliance"]["findings"]
        if f["standard"]["key"].startswith("RISKS_")
    }


async def test_risk_standards(make_org: MakeOrg) -> None:
    org = await organisation(make_org)
    owner = await make_person(org.admin, "Olga")
    empty = await make_project(org.admin, "EMPTY", stage="ACTIVE")
    unowned = await make_project(org.admin, "UNOWNED", stage="ACTIVE")
    owned = await make_project(org.admin, "OWNED", stage="ACTIVE")
    proposed = await make_project(org.admin, "IDEA", stage="PROPOSED")
    closed = await make_project(org.admin, "DONE", stage="CLOSED")
    await risk(org.admin, unowned, 5, 4, "Vendor lock-in")  # 20, HIGH, no owner
    await risk(org.admin, unowned, 3, 5, "Skills gap")  # 15, HIGH, no owner
    await risk(org.admin, unowned, 1, 2, "Minor")  # LOW, no owner: fine
    await risk(org.admin, owned, 5, 5, "Owned", ownerId=owner)

    assert await _findings(org, empty) == {
        "RISKS_ASSESSED": (False, "No risk recorded: an empty register is not a safe register."),
        "RISKS_OWNED": (True, "Every open HIGH risk has an owner."),
    }
    assert await _findings(org, unowned) == {
        "RISKS_ASSESSED": (True, "3 risk(s) recorded."),
        "RISKS_OWNED": (False, "Open HIGH risks without an owner: Vendor lock-in, Skills gap."),
    }
    assert await _findings(org, owned) == {
        "RISKS_ASSESSED": (True, "1 risk(s) recorded."),
        "RISKS_OWNED": (True, "Every open HIGH risk has an owner."),
    }
    assert await _findings(org, proposed) == {
        "RISKS_OWNED": (True, "Every open HIGH risk has an owner.")
    }
    assert await _findings(org, closed) == {}
