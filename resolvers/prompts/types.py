"""A prompt: the template one AI step (resume analysis, interview, evaluation, invitation
email) is given, for the whole tenant or one requisition."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from sqlalchemy.engine import Row

from gateway.store.enums import PromptType
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.context import Info
from resolvers.lazy import lazy_callable
from resolvers.relay import Node, row_builder

if TYPE_CHECKING:
    from resolvers.jobs.types import Job

build_job: Callable[[Row[Any]], Job] = lazy_callable("resolvers.jobs.types", "build_job")


@strawberry.type(name="Prompt")
class Prompt(Node):
    NODE_TYPE: ClassVar[str] = "Prompt"

    name: str
    prompt_type: PromptType
    template_content: str
    schema_content: str | None
    is_default: bool
    created_at: datetime
    updated_at: datetime
    job_id: strawberry.Private[int | None]

    @strawberry.field(description="The requisition this prompt is specific to, if any.")
    async def job(
        self, info: Info
    ) -> Annotated[Job, strawberry.lazy("resolvers.jobs.types")] | None:
        if self.job_id is None:
            return None
        row = await info.context.loaders.job_by_id.load(self.job_id)
        return build_job(row) if row is not None else None


build_prompt = row_builder(Prompt)
