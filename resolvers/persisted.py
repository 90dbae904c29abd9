"""Persisted documents: Apollo's automatic persisted queries, and trusted documents.

**Automatic persisted queries** (Apollo's protocol, GET or POST): a client sends only
``extensions.persistedQuery.sha256Hash``; if that document is known the request runs
it, else it is answered ``PersistedQueryNotFound`` (``extensions.code``
``PERSISTED_QUERY_NOT_FOUND``, 200, or 400 with ``application/graphql-response+json``)
and the client sends the hash with the text, which must hash to it, and is remembered
once the request was admitted (per tenant, in the response cache's backend, for
``PERSISTED_QUERY_TTL_SECONDS``). An unreachable backend means "not found", never a
failed request.

**Trusted documents** (``TRUSTED_DOCUMENTS_FILE``, a ``{"<sha256>": "<document>"}``
manifest such as graphql-codegen's client preset writes): only those documents run,
named by ``documentId`` (``sha256:<hex>``), by Apollo's hash, or sent in full; anything
else is ``PERSISTED_QUERY_NOT_ALLOWED`` (400), and nothing is registered.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import orjson

from gateway.auth import Principal
from gateway.runtime import Runtime
from resolvers.http_params import GraphQLParams, RequestError

NOT_FOUND = "PersistedQueryNotFound"


def sha256_of(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


@lru_cache(maxsize=4)
def _manifest(path: Path, modified: float) -> dict[str, str]:
    try:
        raw = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise RuntimeError(f"TRUSTED_DOCUMENTS_FILE {path}: {exc}") from exc
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise RuntimeError(f"TRUSTED_DOCUMENTS_FILE {path}: not a {{hash: document}} object")
    return {key.removeprefix("sha256:"): value for key, value in raw.items()}


def trusted_documents(path: Path) -> dict[str, str]:
    """The manifest at ``path``, read again when the file changes."""
    return _manifest(path, path.stat().st_mtime)


def _scope(principal: Principal | None) -> str:
    return f"t{principal.tenant_id}" if principal is not None else "public"


async def resolved(
    runtime: Runtime, params: GraphQLParams, principal: Principal | None, strict: bool
) -> tuple[GraphQLParams, bool]:
    """The parameters with the document's text, and whether it is to be remembered
    once the request is admitted."""
    manifest_path = runtime.settings.trusted_documents_file
    if manifest_path is not None:
        return _trusted(trusted_documents(manifest_path), params), False
    sha = params.document_hash
    if sha is None:
        return params, False
    if params.query:
        if sha256_of(params.query) != sha:
            raise RequestError(400, "provided sha does not match query", "BAD_REQUEST")
        return params, True
    query = await runtime.cache.get_document(f"{_scope(principal)}:{sha}")
    if query is None:
        raise RequestError(400 if strict else 200, NOT_FOUND, "PERSISTED_QUERY_NOT_FOUND")
    return replace(params, query=query), False


def _trusted(manifest: dict[str, str], params: GraphQLParams) -> GraphQLParams:
    sha = params.document_hash or sha256_of(params.query)
    query = manifest.get(sha)
    if query is None or (params.query and params.query != query):
        raise RequestError(
            400, "only the trusted documents run here", "PERSISTED_QUERY_NOT_ALLOWED"
        )
    return replace(params, query=query)


async def remember(runtime: Runtime, params: GraphQLParams, principal: Principal | None) -> None:
    """Store an admitted request's document under its hash."""
    assert params.document_hash is not None
    await runtime.cache.set_document(
        f"{_scope(principal)}:{params.document_hash}",
        params.query,
        runtime.settings.persisted_query_ttl_seconds,
    )
