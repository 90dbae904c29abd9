"""``Candidate.resumeText``, ``resumeFetchedAt`` and ``resumeError``: the stored resume
read in one statement for a whole page of candidates, and only when asked for."""

from __future__ import annotations

from tests.support.gateway import SIZES, Gateway

RESUMES = """
{
  candidates(first: 100) {
    nodes { name resumeText resumeFetchedAt resumeError }
  }
}
"""

NAMES = "{ candidates(first: 100) { nodes { name } } }"


async def counted(gateway: Gateway, query: str, tenant: str) -> tuple[int, list[str]]:
    await gateway.app.state.cache.invalidate(gateway.tenants[tenant].tenant_id)
    gateway.statements.reset()
    await gateway.execute(query, tenant=tenant)
    return gateway.statements.count, list(gateway.statements.statements)


async def test_each_candidate_shows_its_own_resume_text(gateway: Gateway) -> None:
    data = await gateway.execute(RESUMES)
    nodes = data["candidates"]["nodes"]
    assert len(nodes) == SIZES["demo"]["candidates"]
    for node in nodes:
        assert node["resumeText"].startswith(node["name"] + "\n"), node
        assert node["resumeError"] is None


async def test_resume_texts_take_one_statement_whatever_the_page_size(gateway: Gateway) -> None:
    demo, _ = await counted(gateway, RESUMES, "demo")
    other, _ = await counted(gateway, RESUMES, "other")
    assert demo == other
    without, statements = await counted(gateway, NAMES, "demo")
    assert demo == without + 1
    assert not any("resume_text" in s for s in statements)  # heavy: only when asked for
