"""The offline provider's resume reader: compares a resume's words with the
requisition's key terms and reads what the text plainly says (years of experience,
gaps between the periods it names, sponsorship, protected personal data) into a risk
score, pros and cons, flags and questions. See ``gateway.ai.offline`` for the rules."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from gateway.ai.offline_words import STOP_WORDS, words_of
from gateway.ai.provider import ResumeRequest

YEARS = re.compile(r"\b(\d{1,2})\s*\+?\s*(?:years?|yrs?)\b", re.IGNORECASE)
SPAN = re.compile(
    r"\b((?:19|20)\d\d)\s*(?:-|\u2013|\u2014|to|until)\s*((?:19|20)\d\d|present|current|now|today)\b",
    re.IGNORECASE,
)
PROTECTED = (
    *("date of birth", "dob:", "birthdate", "marital status", "religion"),
    *("nationality:", "age:", "photo"),
)
SPONSORSHIP = (
    *("visa sponsorship", "require sponsorship", "requires sponsorship"),
    *("need sponsorship", "needs sponsorship", "work permit required"),
)
KEY_TERMS = 30
SHORT_RESUME_WORDS = 80


def key_terms(*texts: str | None) -> list[str]:
    """The requisition's key terms: its most frequent words (ties alphabetical)."""
    counts = Counter(
        word
        for text in texts
        for word in words_of(text or "")
        if len(word) >= 3 and word not in STOP_WORDS and not word.isdigit()
    )
    ranked = sorted(counts, key=lambda word: (-counts[word], word))
    return ranked[:KEY_TERMS]


_SUFFIXES = ("ing", "ed", "es", "s", "e")


def _stem(word: str) -> str:
    """A light stem, so "automate" meets "automated" and "dashboards" "dashboard"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _gaps(text: str) -> list[tuple[int, int]]:
    """Years between the spans the resume names (``2012-2015``, ``2019 - present``)
    that no span covers, when more than two years apart."""
    spans = sorted(
        (int(start), int(end) if end.isdigit() else 10_000) for start, end in SPAN.findall(text)
    )
    gaps: list[tuple[int, int]] = []
    covered_until: int | None = None
    for start, end in spans:
        if covered_until is not None and start - covered_until > 2:
            gaps.append((covered_until, start))
        covered_until = end if covered_until is None else max(covered_until, end)
    return gaps


def _without_resume(request: ResumeRequest) -> dict[str, Any]:
    title = request.job_title
    return {
        "risk_score": 0.9,
        "relevance_summary": (
            f"No resume text for {request.candidate_name}: the fit for {title} cannot be judged."
        ),
        "pros": [],
        "cons": ["No resume on file"],
        "red_flags": ["No resume to analyse (none synced, or it could not be read)"],
        "suggested_questions": [
            "Could you walk me through your work history, most recent role first?",
            f"What experience do you have that is relevant to the {title} role?",
            "Which tools and skills do you use most in your current work?",
        ],
        "compliance_flags": [],
    }


@dataclass(frozen=True, slots=True)
class _Reading:
    """What the resume says, measured against the requisition."""

    title: str
    text: str
    terms: list[str]
    matched: list[str]
    missing: list[str]
    word_count: int
    stated_years: int
    gaps: list[tuple[int, int]]

    @classmethod
    def of(cls, request: ResumeRequest, resume: str) -> _Reading:
        title = request.job_title
        terms = key_terms(title, title, request.job_description)  # the title weighs double
        resume_stems = {_stem(word) for word in words_of(resume)}
        return cls(
            title=title,
            text=resume.lower(),
            terms=terms,
            matched=[term for term in terms if _stem(term) in resume_stems],
            missing=[term for term in terms if _stem(term) not in resume_stems],
            word_count=len(resume.split()),
            stated_years=max((int(value) for value in YEARS.findall(resume)), default=0),
            gaps=_gaps(resume),
        )

    @property
    def overlap(self) -> float:
        return len(self.matched) / len(self.terms) if self.terms else 0.5

    @property
    def short(self) -> bool:
        return self.word_count < SHORT_RESUME_WORDS


@dataclass
class _Findings:
    pros: list[str] = field(default_factory=list)
    cons: list[str] = field(default_factory=list)
    red_flags: list[str] = field(default_factory=list)
    compliance: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)


def _strengths(reading: _Reading, found: _Findings) -> None:
    if reading.matched:
        found.pros.append(
            f"Mentions {len(reading.matched)} of the requisition's {len(reading.terms)} key "
            "terms: " + ", ".join(reading.matched[:6])
        )
    if reading.stated_years >= 3:
        found.pros.append(f"States {reading.stated_years} years of experience")
    if re.search(r"\d+\s*%|\b(?:increased|reduced|grew|saved|improved)\b", reading.text):
        found.pros.append("Quantifies achievements")


def _concerns(reading: _Reading, found: _Findings) -> None:
    if reading.short:
        found.cons.append(f"Short resume ({reading.word_count} words): little detail on experience")
        found.questions.append(
            "Could you walk me through your most recent role and what you achieved?"
        )
    for start, end in reading.gaps[:2]:
        found.cons.append(f"Possible gap in employment between {start} and {end}")
        found.questions.append(f"Can you tell me about the period between {start} and {end}?")
    if reading.missing and reading.overlap < 0.5:
        found.cons.append("Does not mention " + ", ".join(reading.missing[:5]))
    if reading.terms and reading.overlap < 0.1:
        found.red_flags.append("Little overlap with the requisition's requirements")
        found.questions.append(
            f"Which of your experiences best prepares you for the {reading.title} role?"
        )


def _compliance(reading: _Reading, found: _Findings) -> None:
    if any(phrase in reading.text for phrase in SPONSORSHIP):
        found.compliance.append("Needs visa sponsorship: confirm the right to work")
        found.questions.append("What is your current work authorization status?")
    if any(phrase in reading.text for phrase in PROTECTED):
        found.compliance.append(
            "Resume contains protected personal data (e.g. date of birth): keep it out of "
            "the decision"
        )


def _more_questions(reading: _Reading, found: _Findings) -> None:
    for term in reading.missing[:2]:
        found.questions.append(f"What experience do you have with {term}?")
    generic = (
        f"What interests you most about the {reading.title} role?",
        "Tell me about a result you are proud of and how you achieved it.",
        "Which tools and skills do you use most in your current work?",
    )
    for question in generic:
        if len(found.questions) >= 3:
            break
        found.questions.append(question)


def _risk(reading: _Reading) -> float:
    risk = 0.15 + 0.6 * (1 - reading.overlap)
    risk += 0.1 if reading.short else 0.0
    risk += min(0.2, 0.1 * len(reading.gaps))
    risk -= 0.1 if reading.stated_years >= 3 else 0.0
    return round(max(0.02, min(0.98, risk)), 2)


def analysis_answer(request: ResumeRequest) -> dict[str, Any]:
    """The analysis as a JSON object with the default resume schema's keys."""
    resume = request.resume_text.strip()
    if not resume:
        return _without_resume(request)
    reading = _Reading.of(request, resume)
    found = _Findings()
    _strengths(reading, found)
    _concerns(reading, found)
    _compliance(reading, found)
    _more_questions(reading, found)
    risk = _risk(reading)
    fit = "Strong" if risk < 0.3 else "Reasonable" if risk < 0.6 else "Weak"
    matched = reading.matched
    examples = f" ({', '.join(matched[:4])})" if matched else ""
    summary = (
        f"{fit} match for {reading.title}: the resume mentions {len(matched)} of "
        f"{len(reading.terms)} key terms{examples}."
    )
    return {
        "risk_score": risk,
        "relevance_summary": summary,
        "pros": found.pros,
        "cons": found.cons,
        "red_flags": found.red_flags,
        "suggested_questions": found.questions,
        "compliance_flags": found.compliance,
    }
