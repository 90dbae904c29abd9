"""A persona: an interviewer's voice, the system prompt an interview is run with."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import strawberry

from resolvers.relay import Node, row_builder


@strawberry.type(name="Persona", description="An interviewer's voice: its system prompt.")
class Persona(Node):
    NODE_TYPE: ClassVar[str] = "Persona"

    name: str
    description: str | None
    system_prompt_template: str
    is_default: bool
    created_at: datetime
    updated_at: datetime


build_persona = row_builder(Persona)
