"""A prompt: the template one AI step (resume analysis, interview, evaluation, invitation
email) is given, for the whole tenant or one requisition."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.store.enums import PromptType
from resolvers import enums as _enums  # noqa: F401  (registers the enums)
from resolvers.relay import Node, node_type, row_builder
from resolvers.type_fields import related_node
from resolvers.type_refs import JOB


@node_type("Prompt")
class Prompt(Node):
    name: str
    prompt_type: PromptType
    template_content: str
    schema_content: str | None
    is_default: bool
    created_at: datetime
    updated_at: datetime
    job_id: strawberry.Private[int | None]

    job = related_node(
        JOB,
        loader="job_by_id",
        key="job_id",
        description="The requisition this prompt is specific to, if any.",
    )


build_prompt = row_builder(Prompt)
