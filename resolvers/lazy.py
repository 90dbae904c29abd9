"""Another domain's functions, imported when first called.

The domains' types refer to each other in a ring: a job has applications, an
application has its job, an activity names both. Their annotations name another
domain's types with ``strawberry.lazy``; the functions that build those types (or
compute a field of them) are named with ``lazy_callable``. So no types module imports
another one when it is loaded, and none needs an import inside a function:

    if TYPE_CHECKING:
        from resolvers.jobs.types import Job

    build_job: Callable[[Row[Any]], Job] = lazy_callable("resolvers.jobs.types", "build_job")
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_callable(module: str, name: str) -> Callable[..., Any]:
    """A stand-in for ``module.name`` that imports it on its first call."""
    target: Callable[..., Any] | None = None

    def call(*args: Any, **kwargs: Any) -> Any:
        nonlocal target
        if target is None:
            target = getattr(importlib.import_module(module), name)
        return target(*args, **kwargs)

    call.__qualname__ = call.__name__ = name
    return call
