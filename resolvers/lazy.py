"""Another domain's functions, imported when first called.

The domains' types refer to each other in a ring: a job has applications, an
application has its job, an activity names both. Their annotations name another
domain's types with ``strawberry.lazy``; the functions that build those types (or
compute a field of them) are named with ``lazy_callable``. So no types module imports
another one when it is loaded, and none needs an import inside a function:

    if TYPE_CHECKING:
        from resolvers.jobs.types import Job

    build_job: Callable[[Row[Any]], Job] = lazy_callable("resolvers.jobs.types", "build_job")

A field that only loads a related node names its target as a ``LazyNode`` (the table
is ``resolvers.type_refs``), which holds both: the lazy annotation and the builder.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Generic, TypeVar

import strawberry

T = TypeVar("T")


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


@dataclass(frozen=True)
class LazyNode(Generic[T]):
    """A GraphQL type of ``module`` named ``type_name``, with the function there that
    builds it from a row, neither imported before it is needed."""

    module: str
    type_name: str
    builder: str

    @cached_property
    def type(self) -> Any:
        """``Annotated[type_name, strawberry.lazy(module)]``, for a field's annotation."""
        annotated: Any = Annotated
        return annotated[self.type_name, strawberry.lazy(self.module)]

    @cached_property
    def build(self) -> Callable[[Any], T]:
        """The module's ``builder``: a row (or a mapping-like record) -> the type."""
        return lazy_callable(self.module, self.builder)
