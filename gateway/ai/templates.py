"""Filling the tenant's prompt templates and persona system prompts.

    render_template("Compare the resume with '{{job_title}}' for {{ client_name }}.",
                    {"job_title": "Data Analyst", "client_name": "Acme"})
    # "Compare the resume with 'Data Analyst' for Acme."
    format_transcript(turn.transcript)
    # "Interviewer: Hi Ana, ...\\nCandidate: I led the ..."

Placeholders are ``{{name}}`` (spaces inside the braces allowed). A known name with the
value ``None`` becomes empty; a name the caller does not know stays as written, so a
typo in a template shows in what the model receives instead of vanishing. The names
the gateway fills (the seeded templates use them): ``candidate_name``,
``candidate_first_name``, ``job_title``, ``job_description``, ``job_location``,
``client_name``, ``company``, ``resume_text``, ``interview_instructions``,
``transcript``, ``interview_link``, ``expiry_days``, ``recruiter_name``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from gateway.ai.provider import Message

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

SPEAKERS = {"interviewer": "Interviewer", "candidate": "Candidate", "system": "Note"}


def render_template(template: str, values: Mapping[str, object | None]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        return "" if value is None else str(value)

    return _PLACEHOLDER.sub(fill, template)


def placeholders(template: str) -> set[str]:
    """The names ``template`` uses."""
    return {match.group(1) for match in _PLACEHOLDER.finditer(template)}


def format_transcript(messages: Iterable[Message]) -> str:
    """One line per message, ``Speaker: text``: what ``{{transcript}}`` is filled with
    and what the online provider sends when the rendered prompt does not contain it."""
    return "\n".join(
        f"{SPEAKERS.get(message.role, message.role.title())}: {message.content.strip()}"
        for message in messages
    )


def first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else name
