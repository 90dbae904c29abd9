"""What the account defines for every job: its users, its pipeline stages and its job
custom fields (and the value a custom field of each type takes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors import lenient
from connectors.errors import UnprocessableError
from connectors.models import RemoteCustomField, RemoteStage, RemoteUser
from connectors.recruiterflow.applications import stage_kind
from connectors.recruiterflow.fields import (
    NAME_LIMIT,
    STAGE_LIMIT,
    clip,
    email_of,
    id_of,
    parse_decimal,
    record_of,
)
from connectors.recruiterflow.responses import data_of


def user_from_raw(raw: object) -> RemoteUser:
    """``{"id": 40201, "email": ..., "roles": [{"name": "Admin"}]}`` ->
    ``RemoteUser(remote_id="40201", role="Admin", ...)``."""
    record = record_of(raw, "users", "user")
    remote_id = lenient.required(id_of(record.get("id")), "an id", entity="users", raw=record)
    first, last = lenient.text(record.get("first_name")), lenient.text(record.get("last_name"))
    return RemoteUser(
        remote_id=remote_id,
        raw=record,
        email=email_of(record.get("email")),
        name=clip(record.get("name"), NAME_LIMIT)
        or clip(" ".join(p for p in (first, last) if p), NAME_LIMIT),
        role=lenient.first_text(lenient.items(record.get("roles")), "name"),
    )


def custom_field_from_raw(raw: object) -> RemoteCustomField:
    """``{"id": 64, "name": "Number field", "type": "number"}`` -> ``RemoteCustomField``."""
    record = record_of(raw, "custom_fields", "job custom field")
    return RemoteCustomField(
        remote_id=lenient.required(
            id_of(record.get("id")), "an id", entity="custom_fields", raw=record
        ),
        name=clip(record.get("name"), NAME_LIMIT) or "",
        field_type=lenient.text(record.get("type"), "name"),
    )


def stages_from_raw(pipeline: object, stage_names: object) -> list[RemoteStage]:
    """The account's stages in pipeline order, positions 0, 1, 2...

    What this relies on: ``GET /job/pipeline`` without ``job_id`` (the spec marks it
    optional) answers the account's default pipeline, ``summary`` listing its stages in
    pipeline order with their ids; ``GET /job/stage_names`` lists every distinct stage
    name used in any job's pipeline, in no documented order (its example is mostly
    alphabetical). So the pipeline gives the order and the ids, and each other stage
    name follows, in the order ``stage_names`` gives, with its name as id. Where the
    pipeline is missing or unreadable, ``stage_names`` alone gives the order. Entries
    without a name, and names seen before (case-insensitive), are passed over."""
    summary = lenient.mapping(pipeline).get("summary")
    stages: list[RemoteStage] = []
    seen: set[str] = set()

    def add(name: str | None, remote_id: str | None) -> None:
        if name is None or name.lower() in seen:
            return
        ids = {stage.remote_id for stage in stages}
        remote_id = remote_id if remote_id is not None and remote_id not in ids else name
        if remote_id in ids:
            return
        seen.add(name.lower())
        stages.append(
            RemoteStage(
                remote_id=remote_id,
                name=name,
                position=len(stages),
                kind=stage_kind(name),
            )
        )

    for entry in lenient.items(summary):
        remote_id = id_of(entry.get("id")) if isinstance(entry, Mapping) else None
        add(clip(entry, STAGE_LIMIT, "name"), remote_id)
    for entry in lenient.items(data_of(stage_names)):
        add(clip(entry, STAGE_LIMIT, "name"), None)
    return stages


def custom_field_value(field_type: str | None, value: str) -> Any:
    """What ``/job/update`` expects for a field type: numbers for ``number``, 0/1 for
    ``yes_no``, the text otherwise. ``custom_field_value("number", "3")`` -> ``3``."""
    if field_type == "number":
        number = parse_decimal(value)
        if number is None:
            raise UnprocessableError(f"not a number: {value!r}")
        return int(number) if number == number.to_integral_value() else float(number)
    if field_type == "yes_no":
        return 1 if value.strip().lower() in ("1", "true", "yes", "y") else 0
    return value
