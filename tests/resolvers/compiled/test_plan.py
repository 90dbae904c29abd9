"""What the planner decides, without a database: which documents compile, and that a
hostile document costs it one bounded walk."""

from __future__ import annotations

from resolvers.compiled.plan import ConnectionPlan, plan_for
from resolvers.schema import schema


def job_fragment_bomb(levels: int) -> str:
    """Each fragment spreads the next twice: 2**levels spreads if walked naively."""
    fragments = [f"fragment F{n} on Job {{ id ...F{n + 1} ...F{n + 1} }}" for n in range(levels)]
    fragments.append(f"fragment F{levels} on Job {{ title }}")
    return "{ jobs { nodes { ...F0 } } }\n" + "\n".join(fragments)


def test_a_doubling_fragment_document_is_planned_in_one_linear_walk() -> None:
    plan = plan_for(schema, job_fragment_bomb(60), None)
    assert plan is not None
    [jobs] = plan.fields
    assert isinstance(jobs, ConnectionPlan)
    [(_, key, nodes)] = jobs.parts
    assert key == "nodes"
    assert [field.key for field in nodes.fields] == ["id", "title"]


def test_a_document_too_large_to_plan_runs_on_the_resolvers() -> None:
    wide = "{ jobs { nodes { " + " ".join(f"a{n}: title" for n in range(30_000)) + " } } }"
    assert plan_for(schema, wide, None) is None


def test_what_does_not_compile() -> None:
    for query in (
        "{ __typename }",
        "{ me { email } }",
        "{ jobs { nodes { pipeline { totalActive } } } }",
        "{ jobs { nodes { title @include(if: true) } } }",
        "mutation { __typename }",
        "{ jobs { nodes { nope } } }",
        '{ node(id: "Sm9iOjE=") { id } }',
        "{ jobs { nodes { title remoteData } } }",
        "{ applications { nodes { currentStage { remoteData } } } }",
    ):
        assert plan_for(schema, query, None) is None, query
    assert plan_for(schema, "{ jobs { nodes { title } } }", None) is not None
