"""A persona: an interviewer's voice, the system prompt an interview is run with."""

from __future__ import annotations

from datetime import datetime

from resolvers.relay import Node, node_type, row_builder


@node_type("Persona", description="An interviewer's voice: its system prompt.")
class Persona(Node):
    name: str
    description: str | None
    system_prompt_template: str
    is_default: bool
    created_at: datetime
    updated_at: datetime


build_persona = row_builder(Persona)
