"""Rate limits over HTTP: per user, per client IP for anonymous callers, and a tighter
one for credential operations (fragments do not get around it); over a limit is 429
with ``RATE_LIMITED`` and a retry-after. With Redis, two gateways share the counts.
The sliding window itself is checked with a fake clock."""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest
from httpx import Response
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.rate_limits import Bucket, RateLimits, RedisRateLimits
from gateway.store.enums import Role
from tests.support.gateway import Gateway, running_gateway
from tests.support.services import Backend

LIMITS = {
    "rate_limit_public_per_minute": 3,
    "rate_limit_user_per_minute": 6,
    "rate_limit_credentials_per_minute": 2,
}
ME = "{ me { email } }"
CREDENTIALS = """mutation { integrationTestConnection(input: {id: "SW50ZWdyYXRpb246MA=="}) {
  __typename } }"""
HIDDEN = """mutation { ...Sneaky }
fragment Sneaky on Mutation { integrationTestConnection(input: {id: "SW50ZWdyYXRpb246MA=="}) {
  __typename } }"""


def limited(response: Response) -> bool:
    if response.status_code != 429:
        return False
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] >= 1
    assert int(response.headers["retry-after"]) >= 1
    return True


async def statuses(gateway: Gateway, query: str, times: int, **kwargs: Any) -> list[bool]:
    return [limited(await gateway.post(query, **kwargs)) for _ in range(times)]


async def test_users_are_limited_each_on_their_own(backend: Backend) -> None:
    async with running_gateway(backend.url, **LIMITS) as gateway:
        assert await statuses(gateway, ME, 7) == [False] * 6 + [True]
        assert await statuses(gateway, ME, 1, role=Role.RECRUITER) == [False]


async def test_credential_operations_have_their_own_tighter_limit(backend: Backend) -> None:
    async with running_gateway(backend.url, **LIMITS) as gateway:
        assert await statuses(gateway, CREDENTIALS, 2) == [False, False]
        assert await statuses(gateway, HIDDEN, 1) == [True], "a fragment does not hide it"
        assert await statuses(gateway, ME, 1) == [False], "other operations still pass"


async def test_anonymous_callers_are_limited_per_ip(backend: Backend) -> None:
    async with running_gateway(backend.url, **LIMITS) as gateway:
        assert await statuses(gateway, "{ __typename }", 4, role=None) == [False] * 3 + [True]


async def test_two_gateways_share_the_counts_through_redis(
    backend: Backend, redis_url: str, redis_prefix: str
) -> None:
    if backend.name != "postgresql":
        pytest.skip("two gateways share one PostgreSQL database")
    prefix = f"{redis_prefix}rl-{uuid.uuid4().hex[:6]}"
    shared = {"redis_url": redis_url, "redis_prefix": prefix, **LIMITS}
    async with (
        running_gateway(backend.url, **shared) as one,
        running_gateway(backend.url, **shared) as two,
    ):
        assert await statuses(one, ME, 3) == [False] * 3
        assert await statuses(two, ME, 3) == [False] * 3
        assert await statuses(one, ME, 1) == [True]
        assert await statuses(two, ME, 1) == [True]


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_the_window_slides_instead_of_resetting() -> None:
    clock = Clock(6000.0)  # the start of a minute
    limits = RateLimits(clock)
    bucket = Bucket("t", 10)
    for _ in range(10):
        assert (await limits.hit(bucket, "a")).allowed
    refused = await limits.hit(bucket, "a")
    # the 11th call fits once a tenth of this minute's 10 has slid out of the window
    assert not refused.allowed and refused.retry_after == pytest.approx(66.0, abs=0.01)
    clock.now += 60.5  # a new minute, but most of the last one is still inside 60 s
    assert not (await limits.hit(bucket, "a")).allowed
    clock.now += 45  # three quarters of the old minute have slid out
    assert (await limits.hit(bucket, "a")).allowed
    assert (await limits.hit(Bucket("off", 0), "a")).allowed


@pytest.mark.parametrize("start", [6000.0, 6030.0, 6059.9])
async def test_a_client_that_waits_retry_after_gets_in(start: float) -> None:
    clock = Clock(start)
    limits = RateLimits(clock)
    bucket = Bucket("t", 5)
    for _ in range(5):
        assert (await limits.hit(bucket, "a")).allowed
    for _ in range(3):
        refused = await limits.hit(bucket, "a")
        assert not refused.allowed
        clock.now += math.ceil(refused.retry_after)
        assert (await limits.hit(bucket, "a")).allowed, "waiting Retry-After must be enough"


@settings(max_examples=200, deadline=None)
@given(
    limit=st.integers(1, 20),
    steps=st.lists(st.floats(0, 30, allow_nan=False), min_size=1, max_size=60),
)
async def test_retry_after_is_always_enough_and_refusals_do_not_count(
    limit: int, steps: list[float]
) -> None:
    clock = Clock(6000.0)
    limits = RateLimits(clock)
    bucket = Bucket("t", limit)
    admitted: list[float] = []
    for step in steps:
        clock.now += step
        decision = await limits.hit(bucket, "a")
        if decision.allowed:
            admitted.append(clock.now)
            continue
        for _ in range(3):  # hammering while refused changes nothing
            assert not (await limits.hit(bucket, "a")).allowed
        clock.now += math.ceil(decision.retry_after)
        assert (await limits.hit(bucket, "a")).allowed
        admitted.append(clock.now)
    for moment in admitted:  # never more than twice the limit inside any 60 s
        assert sum(1 for t in admitted if moment - 60 < t <= moment) <= 2 * limit


async def test_redis_counts_like_the_process_and_refusals_do_not_count(
    redis_url: str, redis_prefix: str
) -> None:
    clock = Clock(6030.0)
    limits = RedisRateLimits(redis_url, f"{redis_prefix}rl-{uuid.uuid4().hex[:6]}", clock)
    try:
        bucket = Bucket("t", 3)
        assert [(await limits.hit(bucket, "a")).allowed for _ in range(6)] == [True] * 3 + [
            False
        ] * 3
        refused = await limits.hit(bucket, "a")
        clock.now += math.ceil(refused.retry_after)
        assert (await limits.hit(bucket, "a")).allowed
    finally:
        await limits.close()
