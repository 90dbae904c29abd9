"""Plain stdlib logging, one line per record, configured once per process.

Interview links carry their secret in the path (``/interview/<token>``), and uvicorn's
access log prints request paths: ``InterviewLinkRedaction`` on the ``uvicorn.access``
logger rewrites them to ``/interview/[redacted]``. It sits on the logger itself, not
on a handler, so it holds whichever handlers uvicorn's own logging config installs
(``talentgraph serve`` lets uvicorn configure logging, then builds the app, which calls
``configure_logging``; ``dictConfig`` adds filters to a logger but never removes them).
"""

from __future__ import annotations

import logging
import re
from typing import Any

ACCESS_LOGGER = "uvicorn.access"
_INTERVIEW_PATH = re.compile(r"/interview/[^\s\"']+")
REDACTED_INTERVIEW_PATH = "/interview/[redacted]"

_configured = False


def redact_interview_links(text: str) -> str:
    return _INTERVIEW_PATH.sub(REDACTED_INTERVIEW_PATH, text)


def _redacted(value: Any) -> Any:
    return redact_interview_links(value) if isinstance(value, str) else value


class InterviewLinkRedaction(logging.Filter):
    """Rewrites ``/interview/<anything>`` in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redacted(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redacted(arg) for key, arg in record.args.items()}
        return True


def redact_access_log() -> None:
    """Install ``InterviewLinkRedaction`` on uvicorn's access logger, once."""
    access = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, InterviewLinkRedaction) for f in access.filters):
        access.addFilter(InterviewLinkRedaction())


def configure_logging(level: str = "INFO") -> None:
    global _configured
    redact_access_log()
    if _configured:
        return
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    _configured = True
