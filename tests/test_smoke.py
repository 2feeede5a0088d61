from pmo_graph.testing import TestOrganisation


async def test_viewer_and_projects(org: TestOrganisation) -> None:
    data = await org.admin.query(
        "{ viewer { organisation { slug tiers { key enabled } } } projects { totalCount } }"
    )
    assert data["viewer"]["organisation"]["slug"] == org.slug
    assert data["projects"]["totalCount"] == 0
