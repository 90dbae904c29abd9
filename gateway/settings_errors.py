"""Settings for a command: a bad ``TALENTGRAPH_*`` value is one line per problem on
stderr, naming the variable, and exit status 2, never a traceback.

Values are quoted back only for settings that cannot hold a secret: a key, a token, a
password or a URL with credentials in it is named but never shown.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from pydantic import ValidationError
from pydantic_settings import SettingsError

from gateway.settings import Settings

USAGE_ERROR = 2
MAX_SHOWN_CHARS = 80
_UNPARSABLE_FIELD = re.compile(r'field "(\w+)"')

SECRET_SETTINGS = frozenset(
    {
        "jwt_secret",
        "encryption_keys",
        "database_url",
        "redis_url",
        "smtp_username",
        "smtp_password",
        "ai_api_key",
        "ai_base_url",
        "metrics_token",
    }
)
"""Besides every ``SecretStr`` setting; the URLs may carry a password."""


def load_settings() -> Settings:
    """``Settings()``, or the problems on stderr and exit status 2."""
    try:
        return Settings()
    except ValidationError as exc:
        _refuse([describe(error) for error in exc.errors()])
    except SettingsError as exc:
        _refuse([unparsable(str(exc))])


def describe(error: Any) -> str:
    """``TALENTGRAPH_RATE_LIMIT_USER_PER_MINUTE: Input should be a valid integer (got 'abc')``."""
    location: Sequence[int | str] = error.get("loc", ())
    name = str(location[0]) if location else ""
    message = str(error["msg"])
    if "input" not in error:
        return f"{variable(location)}: {message}"
    if is_secret(name):
        return f"{variable(location)}: {_redacted(message, error['input'])}"
    return f"{variable(location)}: {message} (got {_shown(error['input'])})"


def unparsable(message: str) -> str:
    """``error parsing value for field "x" ...`` (a JSON setting that is not JSON) as
    ``TALENTGRAPH_X: ...``."""
    found = _UNPARSABLE_FIELD.search(message)
    return f"{variable([found[1]])}: {message}" if found else message


def variable(location: Sequence[int | str]) -> str:
    """The environment variable of a field, with the path into a JSON value after it."""
    if not location:
        return "TALENTGRAPH settings"
    head, *path = location
    inner = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
    return f"TALENTGRAPH_{str(head).upper()}{inner}"


def is_secret(name: str) -> bool:
    field = Settings.model_fields.get(name)
    if name in SECRET_SETTINGS or field is None:
        return True
    return "SecretStr" in str(field.annotation)


def _redacted(message: str, value: object) -> str:
    """The message without the value, should a validator have quoted it."""
    text = str(value)
    return message.replace(text, "***") if text else message


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= MAX_SHOWN_CHARS else f"{text[:MAX_SHOWN_CHARS]}..."


def _refuse(lines: list[str]) -> NoReturn:
    for line in lines:
        print(line, file=sys.stderr)
    raise SystemExit(USAGE_ERROR)
