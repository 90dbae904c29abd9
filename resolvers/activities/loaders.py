"""Activities by id, and the timelines of jobs, candidates and applications, batched."""

from __future__ import annotations

from gateway.store.models import Activity
from resolvers.dataloaders import child_loaders, row_by_id_loader

ActivityByIdLoader = row_by_id_loader(Activity)
ActivityPageByJobIdLoader, ActivityCountByJobIdLoader = child_loaders(Activity, "job_id")
ActivityPageByCandidateIdLoader, ActivityCountByCandidateIdLoader = child_loaders(
    Activity, "candidate_id"
)
ActivityPageByApplicationIdLoader, ActivityCountByApplicationIdLoader = child_loaders(
    Activity, "application_id"
)
