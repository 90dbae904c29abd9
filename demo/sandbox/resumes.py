"""Resume files for the sandbox candidates: real PDF, DOCX and plain-text bytes, made
deterministically from the candidate's name, headline and skills.

    resume = sandbox_resume(7, "Ana Reyes", "Senior Backend Engineer", ("Python", "SQL"))
    resume.filename, resume.content_type     # "ana-reyes-7.pdf", "application/pdf"
    resume.content[:8]                        # b"%PDF-1.4"

Candidate ``n`` gets a PDF when ``n % 3 == 0``, a DOCX when ``n % 3 == 1`` and text
otherwise, so every sandbox serves all three. The years of experience, the employers
and the skills follow from ``n`` and the headline, so two candidates' resumes differ
the way their profiles do, and the resume analysis has something real to read.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain; charset=utf-8"

_EMPLOYERS = (
    "Initech",
    "Globex",
    "Umbrella Corp",
    "Hooli",
    "Stark Industries",
    "Wayne Enterprises",
)
_SCHOOLS = ("University of the Philippines", "State University", "City College", "Tech Institute")
_SKILLS_BY_FIELD: dict[str, tuple[str, ...]] = {
    "engineer": ("Python", "PostgreSQL", "Docker", "Kubernetes", "AWS", "Go", "REST APIs", "CI/CD"),
    "analyst": ("SQL", "Excel", "Tableau", "Python", "Forecasting", "Reporting", "Payroll"),
    "support": ("Zendesk", "Customer service", "Salesforce", "English", "Ticketing", "CRM"),
    "sales": ("Salesforce", "Negotiation", "Pipeline management", "Cold calling", "CRM"),
    "nurse": (
        "Patient care",
        "BLS certification",
        "Epic EHR",
        "Triage",
        "Medication administration",
    ),
    "general": (
        "Communication",
        "Microsoft Office",
        "Project coordination",
        "Scheduling",
        "Customer service",
        "Reporting",
    ),
}


@dataclass(frozen=True, slots=True)
class SandboxResume:
    filename: str
    content_type: str
    content: bytes


def field_of(headline: str) -> str:
    lowered = headline.lower()
    for key, words in (
        ("nurse", ("nurse", "health", "practitioner")),
        ("support", ("support", "customer", "bpo")),
        ("sales", ("sales", "account executive")),
        ("analyst", ("analyst", "payroll", "finance")),
        ("engineer", ("engineer", "developer", "software", "devops")),
    ):
        if any(word in lowered for word in words):
            return key
    return "general"


def resume_lines(
    n: int, name: str, headline: str, skills: tuple[str, ...] | list[str] = ()
) -> list[str]:
    """The resume as lines of text: the same words whatever the file format."""
    pool = _SKILLS_BY_FIELD[field_of(headline)]
    chosen = list(dict.fromkeys([*skills, *(pool[(n + i) % len(pool)] for i in range(n % 4 + 2))]))
    years = 1 + n % 9
    first_start = 2024 - years
    employer, previous = _EMPLOYERS[n % len(_EMPLOYERS)], _EMPLOYERS[(n + 3) % len(_EMPLOYERS)]
    middle = first_start + max(1, years // 2)
    return [
        name,
        headline,
        f"{name.split()[0].lower()}.{n}@example.com",
        "",
        "Summary",
        f"{headline} with {years} year{'s' if years > 1 else ''} of experience. "
        f"Strengths: {', '.join(chosen[:3])}.",
        "",
        "Experience",
        f"{employer}, {headline} ({middle} - present)",
        f"- Delivered work using {chosen[0]} and {chosen[-1]} for a team of {3 + n % 7}.",
        f"{previous}, junior role ({first_start} - {middle})",
        f"- Supported the team with {chosen[1 % len(chosen)]}.",
        "",
        "Skills",
        ", ".join(chosen),
        "",
        "Education",
        f"{_SCHOOLS[n % len(_SCHOOLS)]}, {first_start - 4} - {first_start}",
    ]


def sandbox_resume(
    n: int, name: str, headline: str, skills: tuple[str, ...] | list[str] = ()
) -> SandboxResume:
    lines = resume_lines(n, name, headline, skills)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "candidate"
    kind = n % 3
    if kind == 0:
        return SandboxResume(f"{slug}-{n}.pdf", PDF, pdf_bytes(lines))
    if kind == 1:
        return SandboxResume(f"{slug}-{n}.docx", DOCX, docx_bytes(lines))
    return SandboxResume(f"{slug}-{n}.txt", TEXT, ("\n".join(lines) + "\n").encode())


def extension_of(n: int) -> str:
    """The file extension ``sandbox_resume(n, ...)`` uses, without building the file."""
    return ("pdf", "docx", "txt")[n % 3]


def pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF 1.4 showing ``lines`` in Helvetica."""
    return pdf_pages([lines])


def pdf_pages(pages: list[list[str]]) -> bytes:
    """A PDF 1.4 with one page per list of lines, in Helvetica, with a correct xref."""

    def literal(text: str) -> str:
        safe = text.encode("latin-1", errors="replace").decode("latin-1")
        return "(" + safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"

    font = 3 + 2 * len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
    ]
    for i, lines in enumerate(pages):
        shown = "\n".join(f"{literal(line)} Tj T*" for line in lines)
        stream = f"BT /F1 11 Tf 14 TL 56 780 Td\n{shown}\nET".encode("latin-1", errors="replace")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] "
            f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {4 + 2 * i} 0 R >>".encode()
        )
        objects.append(
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream"
        )
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_bytes(lines: list[str]) -> bytes:
    """A minimal DOCX (the three parts Word needs), one paragraph per line; the ZIP
    entries carry a fixed date so the same lines give the same bytes."""
    paragraphs = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>' for line in lines
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{_W}"><w:body>{paragraphs}</w:body></w:document>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _RELS),
            ("word/document.xml", document),
        ):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), text)
    return out.getvalue()
