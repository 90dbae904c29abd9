"""``.env.example``: every setting as ``TALENTGRAPH_<NAME>=<default>`` under its
description, written from ``Settings`` itself so that it cannot drift from it.

A setting without a default (``None``) is listed commented out: an empty value would
not mean "unset" to every field.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any, Literal, get_args, get_origin

from pydantic.fields import FieldInfo

from gateway.settings import Settings

HEADER = """\
# talentgraph settings. Copy to .env: it is read from the working directory (or from
# the file TALENTGRAPH_ENV_FILE names), and environment variables win over it.
# Written by `talentgraph settings-example -o .env.example`; do not edit by hand.
"""

UNDOCUMENTED = {
    "environment": "`production` refuses to start without a JWT secret and encryption keys, "
    "and turns GraphiQL, the board and an open /metrics off.",
    "data_dir": "Folder of the SQLite database (when no database URL is set), the serve "
    "lock and, in development, the generated secrets.",
    "database_url": "SQLAlchemy async URL, e.g. postgresql+asyncpg://user:password@host/db; "
    "unset is SQLite under the data folder.",
    "database_echo": "Log every SQL statement.",
    "redis_url": "redis://host:6379/0: shared cache, locks, rate limits, live events and the "
    "arq queue of `talentgraph worker`; unset, one process does everything in memory.",
    "redis_prefix": "Prefix of every Redis key, to share one Redis between deployments.",
    "jwt_secret": "HS256 key of the gateway's tokens, at least 32 bytes; required in production.",
    "jwt_ttl_seconds": "Lifetime of the tokens `talentgraph token` issues.",
    "cache_ttl_job_list": "Seconds a cached job list answer is served.",
    "cache_ttl_job_detail": "Seconds a cached job answer is served.",
    "cache_ttl_pipeline": "Seconds a cached pipeline answer is served.",
    "cache_ttl_dashboard": "Seconds a cached dashboard answer is served (writes drop it at once).",
    "max_query_depth": "Deepest selection nesting a GraphQL document may have.",
    "max_aliases": "Most aliases a GraphQL document may use.",
    "max_query_tokens": "Most lexical tokens a GraphQL document may have.",
    "max_request_bytes": "Largest request body on /graphql.",
    "log_level": "DEBUG, INFO, WARNING or ERROR.",
    "health_check_interval_seconds": "How often each integration's source system is checked; "
    "0 is off.",
    "smtp_port": "SMTP server port.",
    "smtp_username": "SMTP login, when the server asks for one.",
    "smtp_password": "SMTP password.",
    "smtp_starttls": "Upgrade the SMTP connection with STARTTLS.",
    "smtp_timeout_seconds": "Longest one SMTP exchange may take.",
    "ai_base_url": "Base URL of the OpenAI-compatible server (with ai_provider=openai).",
    "ai_model": "Model name sent to that server.",
    "ai_api_key": "Bearer key for that server.",
    "ai_timeout_seconds": "Longest one model call may take.",
    "max_query_cost_recruiter": "As max_query_cost_admin, for recruiters.",
    "max_query_cost_readonly": "As max_query_cost_admin, for read-only users.",
}
"""Descriptions of the settings ``Settings`` gives no docstring; its own docstring wins."""


def env_example() -> str:
    blocks = [HEADER, *(_entry(name, field) for name, field in Settings.model_fields.items())]
    return "\n".join(blocks)


def _entry(name: str, field: FieldInfo) -> str:
    lines = [f"# {line}".rstrip() for line in _description(name, field)]
    default = field.get_default(call_default_factory=True)
    variable = f"TALENTGRAPH_{name.upper()}"
    if default is None:
        lines.append(f"# {variable}=")
    else:
        lines.append(f"{variable}={_env_value(default)}")
    return "\n".join(lines) + "\n"


def _description(name: str, field: FieldInfo) -> list[str]:
    text = (field.description or UNDOCUMENTED.get(name, "")).replace("``", "`")
    lines = [line.strip() for line in _wrapped(text)]
    if get_origin(field.annotation) is Literal:
        lines.append(f"One of: {', '.join(str(choice) for choice in get_args(field.annotation))}.")
    return lines


def _wrapped(text: str) -> list[str]:
    """A docstring keeps its own lines; a one-line description is wrapped at 86 columns."""
    if "\n" in text:
        return text.splitlines()
    return textwrap.wrap(text, width=86)


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)
