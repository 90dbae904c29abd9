from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import Job as JobModel
from resolvers.jobs.filters import JobFilter, JobSort, job_criteria
from resolvers.jobs.types import Job, build_job
from resolvers.node import node_field
from resolvers.read_connection import tenant_connection_field


@strawberry.type
class JobQueries:
    jobs = tenant_connection_field(
        Job,
        Permission.JOBS_READ,
        table_of(JobModel),
        build_job,
        filter=(JobFilter, job_criteria),
        sort=JobSort,
        description="Requisitions of the caller's tenant.",
    )
    job = node_field(Job)
