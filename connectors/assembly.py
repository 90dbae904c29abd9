"""Reading an integration's stored credentials and config into what a connector needs.

``ConnectorBase.create`` is the one template every provider goes through; this module
holds the parts it checks with. A connector declares its config as a settings model,
a frozen dataclass whose fields each name their config key and how that key is read:

    @dataclass(frozen=True, kw_only=True)
    class BpocSettings(ConnectorSettings):
        page_size: int = setting("pageSize", Count(default=50, maximum=100, clamp=True))

    read_settings(BpocSettings, {"pageSize": "500"}).page_size      # 100
    read_settings(BpocSettings, {"pageSize": "many"})
    # ConfigurationError: pageSize must be a number, got 'many'
    require_credentials({"apiKey": ""}, ("apiKey",))
    # ConfigurationError: missing credential 'apiKey'

A key missing from the config, or ``null``, takes the field's default. Every failure is
a ``ConfigurationError`` naming the key, which is what an integration's check shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Protocol, TypeVar

from connectors.errors import ConfigurationError

SETTING = "connector_setting"
"""The dataclass field metadata key under which a setting keeps its key and reader."""

ENVIRONMENT_ALIASES = {"production": "prod", "staging": "stage"}
DEFAULT_ENVIRONMENT = "prod"

_S = TypeVar("_S", bound="ConnectorSettings")
_T_co = TypeVar("_T_co", covariant=True)


class Reader(Protocol[_T_co]):
    def __call__(self, key: str, value: Any) -> _T_co: ...


def _shown(value: Any, limit: int = 80) -> str:
    """``repr(value)``, short enough for an error message."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _either(options: Sequence[str]) -> str:
    quoted = [repr(option) for option in options]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


@dataclass(frozen=True)
class Count:
    """A whole number of things (records a page, requests at once) within bounds.

    With ``clamp=False`` the value must be an integer within the bounds, or it is
    refused. With ``clamp=True`` anything ``int()`` reads (``"50"``, ``50.0``) is taken
    and brought within the bounds, for an API that would cap it anyway (a capped page
    would look like a short last page); only what ``int()`` cannot read is refused.
    """

    default: int
    minimum: int = 1
    maximum: int | None = None
    clamp: bool = False

    def __call__(self, key: str, value: Any) -> int:
        if value is None:
            return self.default
        if self.clamp:
            try:
                number = int(value)
            except (TypeError, ValueError, OverflowError):
                raise ConfigurationError(f"{key} must be a number, got {_shown(value)}") from None
            number = max(self.minimum, number)
            return number if self.maximum is None else min(self.maximum, number)
        if not isinstance(value, int) or isinstance(value, bool) or not self.allows(value):
            raise ConfigurationError(f"{key} must be {self.expected()}, got {_shown(value)}")
        return value

    def allows(self, number: int) -> bool:
        return self.minimum <= number and (self.maximum is None or number <= self.maximum)

    def expected(self) -> str:
        if self.maximum is not None:
            return f"a whole number from {self.minimum} to {self.maximum}"
        if self.minimum == 1:
            return "a positive integer"
        return f"a whole number of at least {self.minimum}"


@dataclass(frozen=True)
class Text:
    """Any value but an empty one, as text; ``None`` when unset or empty."""

    def __call__(self, key: str, value: Any) -> str | None:
        return str(value) if value else None


@dataclass(frozen=True)
class Choice:
    """One of ``options``, read case- and space-insensitively; ``default`` when unset."""

    options: tuple[str, ...]
    default: str

    def __call__(self, key: str, value: Any) -> str:
        chosen = str(value or self.default).strip().lower()
        if chosen not in self.options:
            raise ConfigurationError(f"{key} must be {_either(self.options)}, got {chosen!r}")
        return chosen


def setting(key: str, reader: Reader[Any]) -> Any:
    """A settings-model field read from ``config[key]`` by ``reader``."""
    return field(metadata={SETTING: (key, reader)})


def reader_of(model: type[ConnectorSettings], key: str) -> Reader[Any]:
    """The reader a settings model declares for a config key (its bounds, say)."""
    for item in fields(model):
        declared_key, reader = item.metadata[SETTING]
        if declared_key == key:
            found: Reader[Any] = reader
            return found
    raise KeyError(key)


@dataclass(frozen=True, kw_only=True)
class ConnectorSettings:
    """What every connector reads from its config; a provider's model adds its own
    fields and may redeclare ``page_size`` with its API's bounds."""

    base_url: str | None = setting("baseUrl", Text())
    """Overrides the provider's default address (a sandbox, a proxy, a test server)."""
    environment: str | None = setting("environment", Text())
    """``prod`` or ``stage``; picks the default address where a provider has one each."""
    page_size: int = setting("pageSize", Count(default=100))


def read_settings(model: type[_S], config: Mapping[str, Any]) -> _S:
    """The config read into ``model``, or the ``ConfigurationError`` of its first bad key
    (in field order). Keys the model does not name are left alone."""
    values: dict[str, Any] = {}
    for item in fields(model):
        key, reader = item.metadata[SETTING]
        values[item.name] = reader(key, config.get(key))
    return model(**values)


def credential(credentials: Mapping[str, str], name: str) -> str:
    value = credentials.get(name)
    if not value:
        raise ConfigurationError(f"missing credential {name!r}")
    return value


def require_credentials(credentials: Mapping[str, str], names: Sequence[str]) -> None:
    """Refuses the first of ``names`` that is missing or empty."""
    for name in names:
        credential(credentials, name)


def environment_url(urls: Mapping[str, str], environment: str | None) -> str:
    """The URL of ``environment`` (``prod`` when unset; ``production``/``staging`` are
    read as ``prod``/``stage``)."""
    name = str(environment or DEFAULT_ENVIRONMENT).strip().lower()
    name = ENVIRONMENT_ALIASES.get(name, name)
    if name not in urls:
        raise ConfigurationError(f"environment must be {_either(list(urls))}, got {name!r}")
    return urls[name]
