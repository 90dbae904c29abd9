"""The fake Ashby's file handles and where their files are served."""

from __future__ import annotations

import base64
import json

FILES_PATH = "/files"
"""Where the fake serves the files, on its own origin."""
FILES_URL = "https://ashby-sandbox.s3.example" + FILES_PATH
"""Where resume files live: signed storage URLs from ``file.info``, fetched without the
key (on the request's host instead with ``FakeAshby(files_on_request_host=True)``)."""


def file_handle(candidate_id: str) -> str:
    """An opaque handle, as Ashby's are (base64 JSON naming the file's owner)."""
    raw = json.dumps({"handle": {"type": "CandidateFile", "ownerId": candidate_id}})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def handle_owner(handle: str) -> str | None:
    """The candidate a handle names; ``None`` for anything that is not one."""
    try:
        padded = handle + "=" * (-len(handle) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode()))
        owner = decoded["handle"]["ownerId"]
    except (ValueError, KeyError, TypeError):
        return None
    return owner if isinstance(owner, str) else None
