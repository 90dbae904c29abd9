from __future__ import annotations

from gateway.store.models import Evaluation, Interview, InterviewMessage
from resolvers.dataloaders import latest_by_key_loader, row_by_id_loader, rows_by_key_loader

InterviewByIdLoader = row_by_id_loader(Interview)
InterviewsByApplicationIdLoader = rows_by_key_loader(
    Interview, "application_id", order_by=("created_at", "id")
)
MessagesByInterviewIdLoader = rows_by_key_loader(
    InterviewMessage, "interview_id", order_by=("sequence", "id")
)
EvaluationByInterviewIdLoader = latest_by_key_loader(Evaluation, "interview_id")
EvaluationByIdLoader = row_by_id_loader(Evaluation)
MessageByIdLoader = row_by_id_loader(InterviewMessage)
