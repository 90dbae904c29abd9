"""Who a BPOC write acts as: the recruiter id checked before sending, and the typed
error a refusal about that recruiter stands for.
"""

from __future__ import annotations

import uuid

from connectors.errors import FatalError, InvalidRecruiterError, RecruiterNotInAgencyError
from connectors.models import Attribution


def recruiter_id(attribution: Attribution | None) -> str:
    """The acting recruiter's BPOC id, checked to be a UUID before anything is sent:
    ``recruiter_id(Attribution(remote_id="F47AC10B-58CC-4372-A567-0E02B2C3D479"))`` ->
    ``"f47ac10b-58cc-4372-a567-0e02b2c3d479"``."""
    if attribution is None:
        raise InvalidRecruiterError("BPOC writes need the acting recruiter's BPOC id")
    try:
        return str(uuid.UUID(attribution.remote_id))
    except ValueError:
        raise InvalidRecruiterError(
            f"BPOC recruiter ids are UUIDs, not {attribution.remote_id!r}"
        ) from None


def recruiter_error(error: FatalError) -> FatalError | None:
    """The typed recruiter error a refused write stands for, read from BPOC's message.

    ``connectors.http`` types errors by status alone and keeps the body out of their
    message; their ``detail`` holds its start, which is where BPOC says which it is.
    """
    if error.status is None or not 400 <= error.status < 500:
        return None
    text = (error.detail or "").lower()
    if "does not belong to your agency" in text:
        return RecruiterNotInAgencyError(
            f"BPOC: the acting recruiter belongs to another agency ({error.message})",
            status=error.status,
        )
    if "invalid recruiter" in text:
        return InvalidRecruiterError(
            f"BPOC: unknown or inactive recruiter id ({error.message})", status=error.status
        )
    return None
