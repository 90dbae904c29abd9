"""Jobvite's Onboarding API: processes and tasks behind an RSA + AES envelope.

Every request and every answer travels as ``{"key": b64, "payload": b64}``: a fresh
random AES-256 key encrypts the JSON (AES/ECB, PKCS#7 padding) and is itself
encrypted with the receiver's RSA-2048 public key (PKCS#1 v1.5). Requests are
wrapped for Jobvite's public key; answers come back wrapped for the customer's:

    envelope = encrypt_envelope({"start": 0, "count": 1}, jobvite_public_key)
    # {"key": "kq3...", "payload": "Jc9..."}  (different every call)
    decrypt_envelope(envelope, jobvite_private_key)
    # {"start": 0, "count": 1}

An envelope that does not decrypt to a JSON object is ``InvalidResponseError``;
the envelope has no MAC, so tampering shows up as a key, padding or JSON failure.

``JobviteOnboardingClient`` speaks the API over the shared ``HttpClient`` (same
auth headers as v2). Every call is a ``POST`` whose body is the envelope; lists
take ``start``/``count`` and a ``filter`` of operators (``eq``, ``in``, ``nin``,
``lt``, ``lte``, ``gt``, ``gte``) per entity:

    POST /process      {"start", "count", "filter": {"process": {...}}} -> {"total", "processes"}
    POST /task         {"start", "count", "filter": {"task": {...}}}    -> {"total", "tasks"}
    POST /task/create  {"tasks": [{processId, name, ...}]}              -> {"tasks": [...]}
    POST /task/update  {"task": {"id", "status", ...}}                  -> {"task": {...}}

The facts in ``tests/fixtures/specs/README.md`` vouch for ``POST /api/v2/task`` and the envelope;
the create/update paths and field names are this module's reading of the
Onboarding API and live in ``PATHS`` so they are corrected in one place.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, Literal, NotRequired, TypedDict, cast

import httpx
import orjson
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.padding import PKCS7

from connectors.errors import (
    AuthError,
    ConfigurationError,
    ConnectorError,
    InvalidResponseError,
    MappingError,
    NotFoundError,
    PaginationLoopError,
    UnprocessableError,
)
from connectors.http import HttpClient, OffsetPaginator, Params, decode_json
from connectors.lenient import dig, identifier, mapping, required, text, timestamp
from connectors.models import (
    Attribution,
    OnboardingTaskDraft,
    RemoteOnboardingTask,
    TaskState,
)

READ_OPERATIONS = frozenset({"processes", "tasks"})
"""Lookups sent as POST: safe to repeat after a 5xx, unlike the writes."""

PATHS = {
    "processes": "/process",
    "tasks": "/task",
    "create_tasks": "/task/create",
    "update_task": "/task/update",
}

_AES_KEY_BYTES = 32
_BLOCK_BITS = 128


# --- the envelope ------------------------------------------------------------------


class Envelope(TypedDict):
    key: str
    payload: str


PublicKeyLike = RSAPublicKey | str | bytes
PrivateKeyLike = RSAPrivateKey | str | bytes


def load_public_key(key: PublicKeyLike, *, name: str = "jobvitePublicKey") -> RSAPublicKey:
    """An RSA public key from a key object, a PEM, or bare base64 DER (as Jobvite hands
    them out): ``load_public_key(pem_text)`` -> ``RSAPublicKey``."""
    if isinstance(key, RSAPublicKey):
        return key
    data = key.encode() if isinstance(key, str) else key
    try:
        if b"-----BEGIN" in data:
            loaded: object = serialization.load_pem_public_key(data)
        else:
            loaded = serialization.load_der_public_key(base64.b64decode(data, validate=False))
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ConfigurationError(f"{name} is not a readable public key") from None
    if not isinstance(loaded, RSAPublicKey):
        raise ConfigurationError(f"{name} is not an RSA public key")
    return loaded


def load_private_key(key: PrivateKeyLike, *, name: str = "onboardingPrivateKey") -> RSAPrivateKey:
    """An RSA private key from a key object, a PEM, or bare base64 DER (PKCS#8)."""
    if isinstance(key, RSAPrivateKey):
        return key
    data = key.encode() if isinstance(key, str) else key
    try:
        if b"-----BEGIN" in data:
            loaded: object = serialization.load_pem_private_key(data, password=None)
        else:
            loaded = serialization.load_der_private_key(
                base64.b64decode(data, validate=False), password=None
            )
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # never chain: the parser's message could quote the key material
        raise ConfigurationError(f"{name} is not a readable private key") from None
    if not isinstance(loaded, RSAPrivateKey):
        raise ConfigurationError(f"{name} is not an RSA private key")
    return loaded


def encrypt_envelope(payload: Mapping[str, Any], their_public_key: PublicKeyLike) -> Envelope:
    """Wrap ``payload`` for the holder of ``their_public_key``."""
    public_key = load_public_key(their_public_key)
    aes_key = os.urandom(_AES_KEY_BYTES)
    padder = PKCS7(_BLOCK_BITS).padder()
    plain = padder.update(orjson.dumps(payload)) + padder.finalize()
    encryptor = Cipher(algorithms.AES(aes_key), modes.ECB()).encryptor()
    ciphertext = encryptor.update(plain) + encryptor.finalize()
    wrapped_key = public_key.encrypt(aes_key, rsa_padding.PKCS1v15())
    return {
        "key": base64.b64encode(wrapped_key).decode("ascii"),
        "payload": base64.b64encode(ciphertext).decode("ascii"),
    }


def decrypt_envelope(envelope: Any, our_private_key: PrivateKeyLike) -> dict[str, Any]:
    """Unwrap an envelope addressed to ``our_private_key``; anything that does not
    decrypt to a JSON object is ``InvalidResponseError``."""
    if not (
        isinstance(envelope, Mapping)
        and isinstance(envelope.get("key"), str)
        and isinstance(envelope.get("payload"), str)
    ):
        raise InvalidResponseError("expected an encrypted envelope {key, payload}")
    private_key = load_private_key(our_private_key)
    try:
        wrapped_key = base64.b64decode(envelope["key"], validate=True)
        ciphertext = base64.b64decode(envelope["payload"], validate=True)
        aes_key = private_key.decrypt(wrapped_key, rsa_padding.PKCS1v15())
        if len(aes_key) != _AES_KEY_BYTES:
            raise ValueError("wrong AES key length")
        decryptor = Cipher(algorithms.AES(aes_key), modes.ECB()).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = PKCS7(_BLOCK_BITS).unpadder()
        value = orjson.loads(unpadder.update(padded) + unpadder.finalize())
    except ValueError:
        raise InvalidResponseError("the encrypted envelope could not be decrypted") from None
    if not isinstance(value, dict):
        raise InvalidResponseError("the encrypted envelope does not hold a JSON object")
    return value


# --- errors ---------------------------------------------------------------------------


def status_error(body: Any) -> ConnectorError | None:
    """Jobvite's error object, ``{"status": {"code": 401, "messages": [...]}}``, as the
    typed error; ``None`` when ``body`` is not one. Both APIs use it, and a 2xx answer
    may still carry it."""
    status = body.get("status") if isinstance(body, dict) else None
    code = status.get("code") if isinstance(status, dict) else None
    if not isinstance(code, int) or code < 400:
        return None
    assert isinstance(status, dict)
    messages = status.get("messages")
    detail = "; ".join(str(m) for m in messages) if isinstance(messages, list) else ""
    message = f"Jobvite refused ({code}): {detail or 'no message'}"[:300]
    if code in (401, 403):
        return AuthError(message, status=code)
    if code == 404:
        return NotFoundError(message, status=code)
    return UnprocessableError(message, status=code)


# --- raw shapes and mapping ----------------------------------------------------------


class OnboardingPersonRaw(TypedDict, total=False):
    userId: str
    email: str | None


class OnboardingProcessRaw(TypedDict):
    id: str
    candidateId: NotRequired[str | None]
    applicationId: NotRequired[str | None]
    jobId: NotRequired[str | None]
    status: NotRequired[str | None]
    hireDate: NotRequired[str | None]
    firstName: NotRequired[str | None]
    lastName: NotRequired[str | None]
    email: NotRequired[str | None]
    lastUpdatedDate: NotRequired[int | None]


class OnboardingTaskRaw(TypedDict):
    id: str
    processId: str
    name: NotRequired[str | None]
    description: NotRequired[str | None]
    type: NotRequired[str | None]
    status: NotRequired[str | None]
    dueDate: NotRequired[str | int | None]
    notes: NotRequired[str | None]
    createdBy: NotRequired[OnboardingPersonRaw | None]
    completedBy: NotRequired[OnboardingPersonRaw | None]
    reviewedBy: NotRequired[OnboardingPersonRaw | None]
    lastUpdatedDate: NotRequired[int | None]


_TASK_STATES: dict[str, TaskState] = {
    "pending": "pending",
    "new": "pending",
    "not started": "pending",
    "assigned": "pending",
    "active": "pending",
    "open": "pending",
    "in progress": "pending",
    "completed": "submitted",
    "complete": "submitted",
    "submitted": "submitted",
    "done": "submitted",
    "approved": "approved",
    "rejected": "rejected",
    "declined": "rejected",
}


def task_state(status: str | None) -> TaskState:
    """``task_state("Completed")`` -> ``"submitted"``: done by the new hire, awaiting review."""
    return _TASK_STATES.get((status or "").strip().lower(), "pending")


def to_epoch_ms(moment: datetime) -> int:
    """``to_epoch_ms(datetime(2024, 1, 1, tzinfo=UTC))`` -> ``1704067200000``; naive is UTC.
    Jobvite's dates, in v2 and onboarding alike, are epoch milliseconds."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def from_epoch_ms(value: Any) -> datetime | None:
    """``from_epoch_ms(1549916832797)`` -> ``2019-02-11 20:27:12.797000+00:00``; digit
    strings too, anything unreadable or out of range ``None``."""
    return timestamp(value, epoch_unit="ms")


UNTITLED_TASK = "(untitled task)"


def task_from_raw(
    raw: OnboardingTaskRaw | Mapping[str, Any],
    process: OnboardingProcessRaw | Mapping[str, Any] | None = None,
) -> RemoteOnboardingTask:
    """One task; ``process`` (its onboarding process) tells which hire it belongs to.
    A task without an id is a ``MappingError``; one without a name is kept as
    ``UNTITLED_TASK``; ``dueDate`` may be ISO text or epoch milliseconds."""
    if not isinstance(raw, Mapping):
        raise MappingError("an onboarding task that is not an object", entity="onboarding_tasks")
    hire = mapping(process)
    return RemoteOnboardingTask(
        remote_id=required(identifier(raw.get("id")), "an id", entity="onboarding_tasks", raw=raw),
        raw=raw,
        remote_updated_at=timestamp(raw.get("lastUpdatedDate"), epoch_unit="ms"),
        title=text(raw.get("name")) or text(raw.get("title")) or UNTITLED_TASK,
        application_remote_id=identifier(hire.get("applicationId")),
        candidate_remote_id=identifier(hire.get("candidateId")),
        description=text(raw.get("description")),
        task_type=text(raw.get("type")),
        status=task_state(text(raw.get("status"))),
        due_date=_due_date(raw.get("dueDate")),
    )


def _due_date(value: object) -> date | None:
    moment = timestamp(value, epoch_unit="ms")
    return moment.date() if moment is not None else None


def _person(attribution: Attribution) -> OnboardingPersonRaw:
    person: OnboardingPersonRaw = {"userId": attribution.remote_id}
    if attribution.email:
        person["email"] = attribution.email
    return person


def task_payload(
    process_id: str, draft: OnboardingTaskDraft, attribution: Attribution
) -> dict[str, Any]:
    """The create body for one draft, the acting recruiter as ``createdBy``."""
    payload: dict[str, Any] = {
        "processId": process_id,
        "name": draft.title,
        "createdBy": _person(attribution),
    }
    if draft.description is not None:
        payload["description"] = draft.description
    if draft.task_type is not None:
        payload["type"] = draft.task_type
    if draft.due_date is not None:
        payload["dueDate"] = draft.due_date.isoformat()
    return payload


# --- the client ----------------------------------------------------------------------

TaskMapper = Callable[[Any, OnboardingProcessRaw | None], RemoteOnboardingTask | None]
"""Makes a task from its raw row and process; ``None`` skips it."""

Criteria = Mapping[str, Mapping[str, Any]]
"""Per-field operators, e.g. ``{"processId": {"in": ["p1", "p2"]}}``."""


class JobviteOnboardingClient:
    """Processes and tasks of Jobvite Onboarding, every call through the envelope.

    onboarding = JobviteOnboardingClient(http, private_key=ours, jobvite_public_key=theirs)
    async for task in onboarding.remote_tasks(updated_since=last_sync):
        ...                                  # RemoteOnboardingTask, hire ids filled in
    await onboarding.review_task("t1", approve=True, attribution=Attribution(remote_id="u9"))
    """

    def __init__(
        self,
        http: HttpClient,
        *,
        private_key: PrivateKeyLike,
        jobvite_public_key: PublicKeyLike,
        base_url: str | None = None,
        page_size: int = 100,
    ) -> None:
        self.http = http
        self.private_key = load_private_key(private_key)
        self.jobvite_public_key = load_public_key(jobvite_public_key)
        self.base_url = base_url.rstrip("/") if base_url else None
        self.page_size = page_size

    async def call(self, operation: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """POST ``payload`` sealed for Jobvite to ``PATHS[operation]``; the answer, opened."""
        _, body = await self._exchange(operation, payload)
        return body

    async def _exchange(
        self, operation: str, payload: Mapping[str, Any]
    ) -> tuple[httpx.Response, dict[str, Any]]:
        path = PATHS[operation]
        url = f"{self.base_url}{path}" if self.base_url else path
        envelope = encrypt_envelope(payload, self.jobvite_public_key)
        reads = operation in READ_OPERATIONS
        response = await self.http.request("POST", url, json=envelope, idempotent=reads)
        body = decode_json(response)
        error = status_error(body)
        if error is not None:
            raise error
        return response, decrypt_envelope(body, self.private_key)

    async def _pages(
        self, operation: str, entity: str, items_key: str, criteria: Criteria | None
    ) -> AsyncIterator[list[dict[str, Any]]]:
        paginator = OffsetPaginator(items_key=items_key, count=self.page_size)
        request: Params | None = paginator.first(
            {"filter": {entity: dict(criteria)}} if criteria else {}
        )
        seen: set[bytes] = set()
        while request is not None:
            response, body = await self._exchange(operation, request)
            items = paginator.items(body)
            fingerprint = hashlib.blake2b(orjson.dumps(items), digest_size=16).digest()
            if items and fingerprint in seen:
                raise PaginationLoopError(f"{PATHS[operation]}: the same page was served twice")
            seen.add(fingerprint)
            if items:
                yield items
            request = paginator.next(request, response, body, items)

    def processes(self, criteria: Criteria | None = None) -> AsyncIterator[list[dict[str, Any]]]:
        """Pages of onboarding processes, e.g. ``processes({"status": {"eq": "active"}})``."""
        return self._pages("processes", "process", "processes", criteria)

    def tasks(self, criteria: Criteria | None = None) -> AsyncIterator[list[dict[str, Any]]]:
        """Pages of tasks, e.g. ``tasks({"processId": {"in": ["p1"]}})``."""
        return self._pages("tasks", "task", "tasks", criteria)

    def process_tasks(self, process_id: str) -> AsyncIterator[list[dict[str, Any]]]:
        """Pages of one process's tasks."""
        return self.tasks({"processId": {"eq": process_id}})

    async def check(self) -> int:
        """One small, sealed round trip; the number of processes Jobvite reports."""
        _, body = await self._exchange("processes", {"start": 0, "count": 1})
        total = body.get("total")
        return total if isinstance(total, int) else 0

    async def processes_by_id(self, ids: Sequence[str]) -> dict[str, OnboardingProcessRaw]:
        found: dict[str, OnboardingProcessRaw] = {}
        if not ids:
            return found
        async for page in self.processes({"id": {"in": list(ids)}}):
            for process in page:
                process_id = identifier(dig(process, "id"))
                if process_id is not None:
                    found[process_id] = cast(OnboardingProcessRaw, process)
        return found

    async def process_for_application(self, application_id: str) -> OnboardingProcessRaw:
        """The onboarding process of a hire; ``NotFoundError`` when there is none."""
        _, body = await self._exchange(
            "processes",
            {
                "start": 0,
                "count": 1,
                "filter": {"process": {"applicationId": {"eq": application_id}}},
            },
        )
        processes = body.get("processes")
        if not isinstance(processes, list):
            raise InvalidResponseError("expected an object with a 'processes' list")
        if not processes:
            raise NotFoundError(f"no onboarding process for application {application_id!r}")
        return _process(processes[0])

    async def remote_tasks(
        self,
        updated_since: datetime | None = None,
        *,
        mapper: TaskMapper = task_from_raw,
    ) -> AsyncGenerator[RemoteOnboardingTask, None]:
        """Every task (changed since ``updated_since``), page by page, each with the
        application and candidate of its process (looked up once per process).

        ``mapper(raw, process)`` makes each task; a connector passes one that reports a
        task it cannot map and answers ``None``, so that task is skipped alone."""
        criteria: dict[str, Mapping[str, Any]] = {}
        if updated_since is not None:
            criteria["lastUpdatedDate"] = {"gte": to_epoch_ms(updated_since)}
        known: dict[str, OnboardingProcessRaw] = {}
        async for page in self.tasks(criteria or None):
            process_ids = [identifier(dig(item, "processId")) for item in page]
            missing = sorted({pid for pid in process_ids if pid} - known.keys())
            known.update(await self.processes_by_id(missing))
            for item, process_id in zip(page, process_ids, strict=True):
                task = mapper(item, known.get(process_id) if process_id else None)
                if task is not None:
                    yield task

    async def create_tasks(
        self,
        process_id: str,
        drafts: Sequence[OnboardingTaskDraft],
        attribution: Attribution,
    ) -> list[OnboardingTaskRaw]:
        """Create tasks in one process, in order; the created tasks as Jobvite answers them."""
        body = await self.call(
            "create_tasks",
            {"tasks": [task_payload(process_id, draft, attribution) for draft in drafts]},
        )
        created = body.get("tasks")
        if not isinstance(created, list) or len(created) != len(drafts):
            raise InvalidResponseError("expected one created task per draft")
        return [_task(item) for item in created]

    async def update_task(self, task_id: str, changes: Mapping[str, Any]) -> OnboardingTaskRaw:
        """Change fields of one task: ``update_task("t1", {"dueDate": "2025-03-01"})``."""
        body = await self.call("update_task", {"task": {**changes, "id": task_id}})
        return _task(body.get("task"))

    async def complete_task(self, task_id: str, attribution: Attribution) -> OnboardingTaskRaw:
        """Mark a task done (``status: completed``) on behalf of ``attribution``."""
        return await self.update_task(
            task_id, {"status": "completed", "completedBy": _person(attribution)}
        )

    async def review_task(
        self,
        task_id: str,
        *,
        approve: bool,
        attribution: Attribution,
        notes: str | None = None,
    ) -> OnboardingTaskRaw:
        """Approve or reject a submitted task; the reviewer goes in ``reviewedBy``."""
        status: Literal["approved", "rejected"] = "approved" if approve else "rejected"
        changes: dict[str, Any] = {"status": status, "reviewedBy": _person(attribution)}
        if notes is not None:
            changes["notes"] = notes
        return await self.update_task(task_id, changes)


def _task(value: Any) -> OnboardingTaskRaw:
    if not isinstance(value, dict) or not value.get("id") or not value.get("processId"):
        raise InvalidResponseError("expected an onboarding task with an id and a processId")
    return cast(OnboardingTaskRaw, value)


def _process(value: Any) -> OnboardingProcessRaw:
    if not isinstance(value, dict) or not value.get("id"):
        raise InvalidResponseError("expected an onboarding process with an id")
    return cast(OnboardingProcessRaw, value)
