"""``TALENTGRAPH_OIDC_ISSUERS`` is read and checked with the settings: a mistake stops
the start with the entry and the field it concerns."""

from __future__ import annotations

import orjson
import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsError

from gateway.settings import Settings
from gateway.store.enums import Role


def _settings(monkeypatch: pytest.MonkeyPatch, issuers: object) -> Settings:
    monkeypatch.setenv("TALENTGRAPH_OIDC_ISSUERS", orjson.dumps(issuers).decode())
    return Settings()


def test_entries_are_read_from_json(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(
        monkeypatch,
        [
            {
                "issuer": "https://login.example.com/realms/acme",
                "audience": "talentgraph",
                "tenant": "acme",
                "roleClaim": "groups",
                "roleMap": {"tg-admins": "ADMIN", "tg-staff": "recruiter"},
                "provision": False,
                "defaultRole": "RECRUITER",
            },
            {"issuer": "http://localhost:8080", "audience": "tg", "tenants": ["a", "b"]},
        ],
    )
    first, second = settings.oidc_issuers
    assert first.role_map == {"tg-admins": Role.ADMIN, "tg-staff": Role.RECRUITER}
    assert (first.provision, first.default_role, first.role_claim) == (
        False,
        Role.RECRUITER,
        "groups",
    )
    assert second.tenants == ("a", "b") and second.tenant_claim == "tenant"
    assert second.default_role is Role.READONLY
    assert second.role_map == {
        "admin": Role.ADMIN,
        "recruiter": Role.RECRUITER,
        "readonly": Role.READONLY,
    }
    assert Settings().oidc_issuers == settings.oidc_issuers


BAD = {
    "plain http to another host": (
        {"issuer": "http://login.example.com", "audience": "tg", "tenant": "a"},
        "must use https",
    ),
    "no audience": ({"issuer": "https://idp.example", "tenant": "a"}, "audience"),
    "a misspelt field": (
        {"issuer": "https://idp.example", "audience": "tg", "tenant": "a", "rolemap": {}},
        "rolemap",
    ),
    "an unknown role": (
        {"issuer": "https://idp.example", "audience": "tg", "tenant": "a", "defaultRole": "OWNER"},
        "is not a role",
    ),
    "no tenant": ({"issuer": "https://idp.example", "audience": "tg"}, "either 'tenant'"),
    "both tenant and tenants": (
        {"issuer": "https://idp.example", "audience": "tg", "tenant": "a", "tenants": ["b"]},
        "either 'tenant'",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_entry_is_refused_naming_the_problem(
    monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    entry, expected = BAD[case]
    with pytest.raises(ValidationError, match="oidc_issuers") as refused:
        _settings(monkeypatch, [entry])
    assert expected in str(refused.value)


def test_the_same_issuer_and_audience_twice_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = {"issuer": "https://idp.example", "audience": "tg", "tenant": "a"}
    with pytest.raises(ValidationError, match="configured twice"):
        _settings(monkeypatch, [entry, {**entry, "tenant": "b"}])
    two_clients = _settings(monkeypatch, [entry, {**entry, "audience": "tg-b", "tenant": "b"}])
    assert len(two_clients.oidc_issuers) == 2


def test_json_that_does_not_parse_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENTGRAPH_OIDC_ISSUERS", "[{issuer: ")
    with pytest.raises(SettingsError, match="oidc_issuers"):
        Settings()
