"""The Recruiterflow fake seeded for ``bench/sync.py``, as a uvicorn app factory, so
the fake serves from its own process and its CPU does not share the benchmark's loop:

    BENCH_RF_SEED=200,10000,20000 BENCH_RF_API_KEY=key BENCH_RF_LATENCY_MS=0 \\
        python -m uvicorn --factory bench.recruiterflow_fake:app --port 8123

Seeding is deterministic (``FakeRecruiterflow.seed``): the same sizes give the same
records, so two runs sync the same data. ``BENCH_RF_LATENCY_MS`` delays every answer,
as a distant server would.
"""

from __future__ import annotations

import os

from starlette.types import ASGIApp

from demo.sandbox.recruiterflow import FakeRecruiterflow

SEED_ENV = "BENCH_RF_SEED"
API_KEY_ENV = "BENCH_RF_API_KEY"
LATENCY_ENV = "BENCH_RF_LATENCY_MS"
DEFAULT_SEED = (200, 10_000, 20_000)


def app() -> ASGIApp:
    raw = os.environ.get(SEED_ENV)
    jobs, candidates, applications = (int(part) for part in raw.split(",")) if raw else DEFAULT_SEED
    fake = FakeRecruiterflow()
    if os.environ.get(API_KEY_ENV):
        fake.api_key = os.environ[API_KEY_ENV]
    fake.seed(jobs=jobs, candidates=candidates, applications=applications)
    fake.faults.latency = float(os.environ.get(LATENCY_ENV) or 0) / 1000
    return fake.app
