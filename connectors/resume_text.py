"""The text of a resume file: PDF, DOCX or plain text, told apart by their bytes.

    text = await extract_resume_text(content, content_type="application/pdf")
    # "Ana Reyes\\nSenior Backend Engineer\\n..."
    extract_resume_text(b"\\x89PNG...", None)    # UnreadableResume("unsupported file type ...")

The bytes decide the format (``%PDF-``, a ZIP holding ``word/document.xml``, text that
decodes); the declared content type only words the refusal of what is none of them
(a legacy ``.doc``, an image, an HTML page served where a file was expected).

A file is vendor data, so it is hostile until read: extraction runs in a worker thread
(the event loop never parses), reads at most ``MAX_PAGES`` PDF pages and keeps at most
``MAX_CHARS`` characters, refuses a DOCX whose members would inflate beyond
``MAX_DOCX_INFLATED`` bytes (checked by inflating them, not by trusting the sizes the
archive declares) and gives up after ``TIME_LIMIT`` seconds. Whatever goes wrong is one
``UnreadableResume`` with a reason a person can act on; it never ends anything else.
A thread cannot be stopped from outside: past the time limit the caller moves on and
the thread ends at its next page, where it checks the same deadline.
"""

from __future__ import annotations

import asyncio
import io
import re
import time
import zipfile
from enum import StrEnum

MAX_CHARS = 100_000
"""Characters kept of one resume: far beyond any real one, well within a prompt."""
MAX_PAGES = 50
MAX_DOCX_INFLATED = 30 * 1024 * 1024
"""Bytes a DOCX's members may inflate to, all together."""
MAX_DOCX_MEMBERS = 2_000
TIME_LIMIT = 20.0
"""Seconds one extraction may take."""

_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_RUNS = re.compile(r"\n{3,}")
_SPACE_RUNS = re.compile(r"[ \t\u00a0]+")


class ResumeFormat(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    TEXT = "text"


class UnreadableResume(Exception):
    """The file is not a resume this module can read; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sniff(content: bytes, content_type: str | None = None) -> ResumeFormat:
    """The format the bytes are in, whatever the server declared.

    sniff(b"%PDF-1.4 ...")              # ResumeFormat.PDF
    sniff(b"<html>...", "text/html")    # UnreadableResume("an HTML page, not a resume file")
    """
    declared = (content_type or "").split(";")[0].strip().lower() or "no content type"
    if not content:
        raise UnreadableResume("the file is empty")
    if _PDF_MAGIC in content[:1024]:
        return ResumeFormat.PDF
    if content.startswith(_ZIP_MAGIC):
        return ResumeFormat.DOCX
    if content.startswith(_OLE_MAGIC):
        raise UnreadableResume("a legacy Word .doc (or other OLE) file; only PDF, DOCX and text")
    head = content[:512].lstrip().lower()
    if declared == "text/html" or head.startswith((b"<!doctype html", b"<html")):
        raise UnreadableResume("an HTML page, not a resume file (a login or error page?)")
    if _decode(content) is not None:
        return ResumeFormat.TEXT
    raise UnreadableResume(f"unsupported file type ({declared}); only PDF, DOCX and text")


async def extract_resume_text(
    content: bytes,
    content_type: str | None = None,
    *,
    time_limit: float = TIME_LIMIT,
    max_pages: int = MAX_PAGES,
    max_chars: int = MAX_CHARS,
) -> str:
    """The resume's text, cleaned and cut to ``max_chars``; extracted in a thread."""
    fmt = sniff(content, content_type)
    deadline = time.monotonic() + time_limit
    try:
        async with asyncio.timeout(time_limit):
            return await asyncio.to_thread(
                extract_text_now,
                content,
                fmt,
                max_pages=max_pages,
                max_chars=max_chars,
                deadline=deadline,
            )
    except TimeoutError:
        raise UnreadableResume(
            f"reading the {fmt.value.upper()} took over {time_limit:g} s"
        ) from None


def extract_text_now(
    content: bytes,
    fmt: ResumeFormat,
    *,
    max_pages: int = MAX_PAGES,
    max_chars: int = MAX_CHARS,
    deadline: float | None = None,
) -> str:
    """The blocking extraction; call it from a thread (``extract_resume_text`` does)."""
    readers = {ResumeFormat.PDF: _pdf, ResumeFormat.DOCX: _docx, ResumeFormat.TEXT: _text}
    try:
        raw = readers[fmt](content, max_pages, max_chars, deadline)
    except UnreadableResume:
        raise
    except Exception as exc:  # a parser meeting a broken or hostile file
        raise UnreadableResume(
            f"the {fmt.value.upper()} could not be read ({type(exc).__name__}: {str(exc)[:200]})"
        ) from exc
    text = clean(raw)[:max_chars]
    if not text.strip():
        what = "a scanned PDF without a text layer?" if fmt is ResumeFormat.PDF else "empty"
        raise UnreadableResume(f"no text in the {fmt.value.upper()} ({what})")
    return text


def clean(text: str) -> str:
    """Control characters (NUL included: PostgreSQL refuses it) out, runs of spaces and
    blank lines squeezed."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACE_RUNS.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def _past(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise UnreadableResume("reading the file took too long")


def _decode(content: bytes) -> str | None:
    """Text, when the bytes are UTF-8 (BOM or not) or UTF-16 with a BOM; else ``None``."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in content[:4096]:
        return None
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    decoded = content.decode("cp1252", errors="replace")
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in decoded[:4096])
    return decoded if printable >= 0.95 * min(len(decoded), 4096) else None


def _text(content: bytes, max_pages: int, max_chars: int, deadline: float | None) -> str:
    return _decode(content[: max_chars * 4]) or ""


def _pdf(content: bytes, max_pages: int, max_chars: int, deadline: float | None) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    if reader.is_encrypted and not reader.decrypt(""):
        raise UnreadableResume("the PDF is password-protected")
    parts: list[str] = []
    size = 0
    for number, page in enumerate(reader.pages):
        if number >= max_pages or size >= max_chars:
            break
        _past(deadline)
        part = page.extract_text() or ""
        parts.append(part)
        size += len(part)
    return "\n\n".join(parts)


def _docx(content: bytes, max_pages: int, max_chars: int, deadline: float | None) -> str:
    from docx import Document

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise UnreadableResume(f"a broken ZIP, not a DOCX ({exc})") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_DOCX_MEMBERS:
            raise UnreadableResume(f"a DOCX of {len(members)} parts; at most {MAX_DOCX_MEMBERS}")
        if "word/document.xml" not in archive.namelist():
            raise UnreadableResume("a ZIP archive without word/document.xml, not a DOCX")
        _inflates_within(archive, members, deadline)
    document = Document(io.BytesIO(content))
    lines: list[str] = []
    size = 0
    for paragraph in document.paragraphs:
        lines.append(paragraph.text)
        size += len(paragraph.text)
        if size >= max_chars:
            return "\n".join(lines)
    for table in document.tables:
        _past(deadline)
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _inflates_within(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], deadline: float | None
) -> None:
    """Inflate every member up to what is left of ``MAX_DOCX_INFLATED``: a ZIP bomb (or
    a header that lies about sizes) is refused before the DOCX parser touches it."""
    left = MAX_DOCX_INFLATED
    for member in members:
        if member.file_size > left:
            raise UnreadableResume(_too_big())
        with archive.open(member) as stream:
            while chunk := stream.read(min(1 << 20, left + 1)):
                left -= len(chunk)
                if left < 0:
                    raise UnreadableResume(_too_big())
                _past(deadline)


def _too_big() -> str:
    return f"the DOCX inflates beyond {MAX_DOCX_INFLATED // (1024 * 1024)} MB (a ZIP bomb?)"
