from __future__ import annotations

from gateway.store.models import Evaluation, Interview, InterviewMessage, Persona
from resolvers.dataloaders import LatestByKeyLoader, RowByIdLoader, RowsByKeyLoader


class InterviewByIdLoader(RowByIdLoader):
    table = Interview.__table__


class InterviewsByApplicationIdLoader(RowsByKeyLoader):
    table = Interview.__table__
    key_column = "application_id"
    order_by = ("created_at", "id")


class MessagesByInterviewIdLoader(RowsByKeyLoader):
    table = InterviewMessage.__table__
    key_column = "interview_id"
    order_by = ("sequence", "id")


class EvaluationByInterviewIdLoader(LatestByKeyLoader):
    table = Evaluation.__table__
    key_column = "interview_id"


class PersonaByIdLoader(RowByIdLoader):
    table = Persona.__table__
