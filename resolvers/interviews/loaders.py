from __future__ import annotations

from gateway.store.base import table_of
from gateway.store.models import Evaluation, Interview, InterviewMessage
from resolvers.dataloaders import LatestByKeyLoader, RowByIdLoader, RowsByKeyLoader


class InterviewByIdLoader(RowByIdLoader):
    table = table_of(Interview)


class InterviewsByApplicationIdLoader(RowsByKeyLoader):
    table = table_of(Interview)
    key_column = "application_id"
    order_by = ("created_at", "id")


class MessagesByInterviewIdLoader(RowsByKeyLoader):
    table = table_of(InterviewMessage)
    key_column = "interview_id"
    order_by = ("sequence", "id")


class EvaluationByInterviewIdLoader(LatestByKeyLoader):
    table = table_of(Evaluation)
    key_column = "interview_id"


class EvaluationByIdLoader(RowByIdLoader):
    table = table_of(Evaluation)


class MessageByIdLoader(RowByIdLoader):
    table = table_of(InterviewMessage)
