"""The tenant's prompts (a default per type, one job-specific) and interviewer personas."""

from __future__ import annotations

import json
from datetime import timedelta

from demo.seed.state import BuilderState
from demo.seed.values import BASE_TIME
from gateway.store.enums import PromptType
from gateway.store.models import Persona, Prompt

_PromptSpec = tuple[str, PromptType, str, str | None, int | None, bool]
"""Name, type, template, output schema, job id (for a job's own prompt), is default."""

_DEFAULT_PROMPTS: tuple[_PromptSpec, ...] = (
    (
        "Resume analysis (default)",
        PromptType.RESUME_ANALYSIS,
        "You are an experienced agency recruiter. Compare the resume below with the "
        "requisition '{{job_title}}' for {{client_name}}.\n\nResume:\n{{resume_text}}\n\n"
        "Return a risk score from 0 (great fit) to 1 (poor fit), pros, cons, red "
        "flags, compliance flags and three interview questions.",
        json.dumps(
            {
                "type": "object",
                "required": ["risk_score", "pros", "cons"],
                "properties": {
                    "risk_score": {"type": "number", "minimum": 0, "maximum": 1},
                    "pros": {"type": "array", "items": {"type": "string"}},
                    "cons": {"type": "array", "items": {"type": "string"}},
                },
            }
        ),
        None,
        True,
    ),
    (
        "Screening interview (default)",
        PromptType.INTERVIEW,
        "Interview {{candidate_first_name}} for '{{job_title}}'. Ask one question at a "
        "time about recent experience, problem solving, communication, availability "
        "and salary. Keep it under 15 minutes.",
        None,
        None,
        True,
    ),
    (
        "Interview evaluation (default)",
        PromptType.EVALUATION,
        "Score the transcript from 1 to 10 on reliability, accountability, "
        "professionalism, communication, technical skill and growth potential, give "
        "an overall score from 0 to 100 and a recommendation.\n\n{{transcript}}",
        json.dumps({"type": "object", "required": ["overall_score", "recommendation"]}),
        None,
        True,
    ),
    (
        "Interview invitation email (default)",
        PromptType.INTERVIEW_EMAIL,
        "Hi {{candidate_first_name}},\n\nThanks for applying for {{job_title}}. Please "
        "complete a short online interview here: {{interview_link}} (valid for "
        "{{expiry_days}} days).\n\n{{recruiter_name}}, Demo Agency",
        None,
        None,
        True,
    ),
)

_PERSONAS: tuple[tuple[str, str, str, bool], ...] = (
    (
        "Friendly Interviewer",
        "A warm, encouraging interview style",
        "You are a friendly AI interviewer for Demo Agency. Put the candidate at ease, "
        "ask one question at a time and acknowledge each answer briefly.",
        True,
    ),
    (
        "Structured Interviewer",
        "Concise, competency-based questions with follow-ups",
        "You are a structured AI interviewer. Ask competency-based questions, probe "
        "for concrete examples and metrics, and keep a neutral tone.",
        False,
    ),
)

_CREATED = BASE_TIME - timedelta(days=300)


class PromptSteps(BuilderState):
    """Prompts and personas."""

    def _prompts(self) -> None:
        """A default prompt per type and, given jobs, the first job's own interview prompt."""
        prompts = list(_DEFAULT_PROMPTS)
        if self.jobs:
            first_job = next(iter(self.jobs.values()))
            prompts.append(
                (
                    f"Screening interview: {first_job['title']}",
                    PromptType.INTERVIEW,
                    "Interview {{candidate_first_name}} for '{{job_title}}'. The client "
                    "insists on two questions about handling escalations.",
                    None,
                    first_job["id"],
                    False,
                )
            )
        for name, prompt_type, template, schema, job_id, is_default in prompts:
            prompt_id = self.ids.take(Prompt)
            if is_default:
                self.prompt_ids[prompt_type] = prompt_id
            self._add(
                Prompt,
                {
                    "id": prompt_id,
                    "tenant_id": self.tenant_id,
                    "name": name,
                    "prompt_type": prompt_type,
                    "template_content": template,
                    "schema_content": schema,
                    "job_id": job_id,
                    "is_default": is_default,
                    "created_at": _CREATED,
                    "updated_at": _CREATED,
                },
            )

    def _personas(self) -> None:
        for name, description, template, is_default in _PERSONAS:
            persona_id = self.ids.take(Persona)
            self.persona_ids.append(persona_id)
            self._add(
                Persona,
                {
                    "id": persona_id,
                    "tenant_id": self.tenant_id,
                    "name": name,
                    "description": description,
                    "system_prompt_template": template,
                    "is_default": is_default,
                    "created_at": _CREATED,
                    "updated_at": _CREATED,
                },
            )
