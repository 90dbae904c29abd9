"""Word handling the offline provider's interviewer, evaluator and resume reader share:
splitting text into words, the stop words no key term is made of, and a stable
checksum to pick among phrasings (``hash()`` changes between runs; this does not)."""

from __future__ import annotations

import re
import zlib

_WORD = re.compile(r"[a-z][a-z+#.-]*[a-z+#]|[a-z]", re.IGNORECASE)

_STOP = """a about above after all also an and any are as at be been being but by can could
    did do does for from had has have having he her here his how i if in into is it its
    just may me more most must my no not of on or our out over own per role she should
    so some such than that the their them then there these they this those through to
    too under up very was we were what when where which while who will with within would
    you your yours job work working team position candidate candidates looking join
    company ideal including required requirements preferred plus strong experience years
    year new well across other etc need needs seeking senior junior ability able using use
    skills knowledge responsible responsibilities"""
STOP_WORDS = frozenset(_STOP.split())
"""Left out of key terms: function words and words every requisition uses."""


def stable(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def words_of(text: str) -> list[str]:
    return [word.lower().strip(".-") for word in _WORD.findall(text)]


def has_example(text: str) -> bool:
    lowered = text.lower()
    markers = ("for example", "for instance", "when i ", "once ", "last year", "we had")
    return any(marker in lowered for marker in markers) or bool(re.search(r"\d", text))
