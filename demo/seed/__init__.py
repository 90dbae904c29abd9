"""Seed a demo tenant: a recruiting agency on several ATSs with a busy pipeline.

    >>> demo = await seed_demo(session_factory)        # 50 jobs, 1000 candidates, 2000 applications
    >>> demo.admin_user_id                             # the id of admin@demo.example
    >>> await seed_demo(session_factory) == demo       # the slug exists: nothing is inserted
    True

The tenant (slug ``demo``, "Demo Agency") gets an admin, four recruiters and a read-only
viewer; an integration for every provider whose fake declares ``SANDBOX``
(``demo.sandbox.declaration``), each with the same seven pipeline stages; requisitions,
candidates and applications synced from the first four of them (``RECORD_GROUPS``),
every application with its stage history; resume analyses, self-service
interviews with their chats and evaluations, offers, onboarding tasks, prompts, personas
and an activity feed.

Determinism: every value is drawn from one ``random.Random(seed)`` in a fixed order, and
every timestamp is an offset from ``BASE_TIME`` (2026-10-01 UTC), never from the clock.
The same seed gives the same data on any machine and either backend: titles, names,
pipelines, chats, times. No random draw depends on a database id, so a database that
already holds rows gets the same data under ids shifted by a constant.

Explicit ids: rows are built in Python as dicts and written with one executemany
``INSERT`` per table, in dependency order, in a single transaction, committed once.
Children need their parents' keys, so the parent tables (``ALLOCATED``) get explicit
ids: one query reads their ``max(id)`` and ids are handed out upwards from there, which
works the same on SQLite and PostgreSQL. On PostgreSQL the id sequences are then moved
to the new maximum (``setval``) so later ordinary inserts do not collide. Leaf tables
(transitions, messages, evaluations, offers, ...) take database-generated ids. The
allocation assumes nothing else inserts into those tables while the seed runs, which
holds at start-up, where ``talentgraph serve --demo`` calls it.

The package: ``world`` and ``conversation`` (the data drawn from), ``values`` (the clock
and small helpers), ``store`` (ids, insert order, an existing tenant), ``pipeline`` (an
application's way through the stages), ``state`` and one mixin per step (``organisation``,
``records``, ``applications``, ``prompts``, ``interviews``, ``offers``, ``activity``)
that ``builder`` puts together in the order the steps run.
"""

from __future__ import annotations

import random

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from demo.seed.builder import DemoBuilder
from demo.seed.conversation import chat_messages, evaluation_values
from demo.seed.store import INSERT_ORDER, DemoTenant, IdAllocator, advance_sequences, find_demo
from demo.seed.values import BASE_TIME
from gateway.store.models import Tenant

__all__ = ["BASE_TIME", "DemoTenant", "chat_messages", "evaluation_values", "seed_demo"]


async def seed_demo(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    jobs: int = 50,
    candidates: int = 1000,
    applications: int = 2000,
    seed: int = 7,
    slug: str = "demo",
) -> DemoTenant:
    """Create the demo tenant ``slug`` unless it exists; return its ids either way.

    Raises ``ValueError`` for negative sizes or more applications than distinct
    (job, candidate) pairs within the integrations allow.
    """
    for name, value in (("jobs", jobs), ("candidates", candidates), ("applications", applications)):
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    async with session_factory() as session:
        existing = await find_demo(session, slug)
        if existing is not None:
            return existing
        ids = await IdAllocator.load(session)
        builder = DemoBuilder(random.Random(seed), ids, slug=slug, seed=seed)
        tables = builder.build(jobs=jobs, candidates=candidates, applications=applications)
        try:
            await session.execute(insert(Tenant), tables[Tenant])
        except IntegrityError:
            # Another process seeded the same slug meanwhile: theirs wins.
            await session.rollback()
            existing = await find_demo(session, slug)
            if existing is None:
                raise
            return existing
        for model in INSERT_ORDER[1:]:
            if tables[model]:
                await session.execute(insert(model), tables[model])
        await advance_sequences(session)
        await session.commit()
    return builder.demo
