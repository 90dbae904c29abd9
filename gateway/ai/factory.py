"""The provider the settings ask for.

    provider = create_provider(settings, http)     # OfflineProvider unless configured
    TALENTGRAPH_AI_PROVIDER=openai TALENTGRAPH_AI_BASE_URL=http://127.0.0.1:11434/v1 \\
    TALENTGRAPH_AI_MODEL=llama3.1:8b talentgraph serve     # any OpenAI-compatible server

Settings read (each with its default while ``Settings`` does not declare it yet):
``ai_provider`` ("offline" | "openai", default "offline"), ``ai_base_url``,
``ai_model``, ``ai_api_key`` (a str or a pydantic ``SecretStr``; optional, local
servers need none), ``ai_timeout_seconds`` (60) and ``ai_max_concurrency`` (4).
Build one provider per process and share it: its concurrency bound is per instance.
"""

from __future__ import annotations

from typing import Any

import httpx

from gateway.ai.offline import OfflineProvider
from gateway.ai.openai_compat import OpenAICompatibleProvider
from gateway.ai.provider import AIProvider

PROVIDERS = ("offline", "openai")


def _secret(value: Any) -> str | None:
    if value is None:
        return None
    reveal = getattr(value, "get_secret_value", None)
    text = str(reveal() if callable(reveal) else value).strip()
    return text or None


def create_provider(settings: Any, http: httpx.AsyncClient) -> AIProvider:
    """Raises ``ValueError`` for an unknown provider or an ``openai`` one without a base
    URL or model (at startup, rather than at the first interview)."""
    kind = str(getattr(settings, "ai_provider", None) or "offline").strip().lower()
    if kind == "offline":
        return OfflineProvider()
    if kind != "openai":
        raise ValueError(f"unknown AI provider {kind!r}; known: {', '.join(PROVIDERS)}")
    base_url = str(getattr(settings, "ai_base_url", None) or "").strip()
    model = str(getattr(settings, "ai_model", None) or "").strip()
    if not base_url or not model:
        raise ValueError(
            "the openai provider needs TALENTGRAPH_AI_BASE_URL and TALENTGRAPH_AI_MODEL"
        )
    timeout = getattr(settings, "ai_timeout_seconds", None)
    concurrency = getattr(settings, "ai_max_concurrency", None)
    return OpenAICompatibleProvider(
        http,
        base_url,
        model,
        _secret(getattr(settings, "ai_api_key", None)),
        float(timeout) if timeout else 60.0,
        max_concurrency=int(concurrency) if concurrency else 4,
    )
