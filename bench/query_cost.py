"""Benchmark: costing a request's document (``resolvers.cost``) against parsing and validating it.

    python bench/query_cost.py [--rounds 2000]

For each document: its cost, the selection sets costed, and the median time of
``measure`` over the parsed document (the HTTP layer parses once and caches the parse),
next to the time to parse it. Then, for documents whose fragments each spread the next
one twice, how long graphql-core's own validation rules and the two limiters the
schema adds (query depth, aliases) take as the levels grow: the reason the cost is
checked before validation.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from graphql import DocumentNode, get_introspection_query, parse, validate
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from gateway.settings import Settings
from resolvers.cost import measure
from resolvers.schema import build_schema

README = Path(__file__).resolve().parent.parent / "README.md"
NESTED = """
{ jobs(first: 50) { edges { node { applications(first: 50) { edges { node {
    candidate { name email } currentStage { name } interviews { status }
} } } } } } }
"""
LOOP = (
    "jobs(first: 100) { edges { node { applications(first: 100) { edges { node { job { "
    "applications(first: 100) { edges { node { id } } } } } } } } } }"
)


def readme_query() -> str:
    """The example under "What you can ask": the largest query the README shows."""
    section = README.read_text().split("## What you can ask", 1)[1]
    return section.split("```graphql", 1)[1].split("```", 1)[0]


def doubling(levels: int) -> str:
    parts = ["query { ...F0 }"]
    parts += [
        f"fragment F{i} on Query {{ __typename ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    ]
    parts.append(f"fragment F{levels} on Query {{ __typename }}")
    return " ".join(parts)


def median_us(fn: Callable[[], object], rounds: int) -> float:
    """Median of ``rounds`` samples, each the mean of 10 calls, in microseconds."""
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(10):
            fn()
        samples.append((time.perf_counter() - started) / 10 * 1e6)
    return statistics.median(samples)


def once_ms(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    schema = build_schema(Settings())._schema
    documents = {
        "README example query": readme_query(),
        "nested bench query (50 x 50)": NESTED,
        "standard introspection query": get_introspection_query(),
        "job/application loop, 1 alias": "{ " + LOOP + " }",
        "job/application loop, 5 aliases": "{ "
        + " ".join(f"a{i}: {LOOP}" for i in range(5))
        + " }",
        "doubling fragments, 20 levels": doubling(20),
        "doubling fragments, 50 levels": doubling(50),
    }
    print(f"{'document':34} {'cost':>14} {'sets':>5} {'measure':>10} {'parse':>10}")
    for name, text in documents.items():
        document = parse(text)
        result = measure(schema, document)
        cost_us = median_us(partial(measure, schema, document), args.rounds)
        parse_us = median_us(partial(parse, text), max(args.rounds // 10, 20))
        print(
            f"{name:34} {result.total:>14,} {result.selection_sets:>5} "
            f"{cost_us:>7.1f} us {parse_us:>7.1f} us"
        )

    print("\nvalidating doubling-fragment documents (one run each):")
    rules = {
        "graphql-core rules": None,
        "QueryDepthLimiter": list(QueryDepthLimiter(max_depth=12).validation_rules),
        "MaxAliasesLimiter": list(MaxAliasesLimiter(max_alias_count=30).validation_rules),
    }
    print(f"{'levels':>6} " + " ".join(f"{name:>20}" for name in rules))
    for levels in (10, 12, 14, 16):
        bomb: DocumentNode = parse(doubling(levels))
        times = [once_ms(partial(validate, schema, bomb, rule)) for rule in rules.values()]
        print(f"{levels:>6} " + " ".join(f"{ms:>17.1f} ms" for ms in times))
    fifty = parse(doubling(50))
    print(f"{50:>6} {once_ms(lambda: validate(schema, fifty)):>17.1f} ms  (graphql-core rules)")


if __name__ == "__main__":
    main()
