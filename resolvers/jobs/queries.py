from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.criteria import JobCriteria
from gateway.store.models import Job as JobModel
from resolvers.context import Info
from resolvers.inputs import SortDirection, date_range
from resolvers.jobs.types import Job, JobFilter, JobSort, build_job
from resolvers.listing import list_connection, page_request
from resolvers.permissions import require
from resolvers.relay import Connection, pk_of, pk_or_none


def job_criteria(value: JobFilter | None) -> JobCriteria:
    if value is None:
        return JobCriteria()
    return JobCriteria(
        search=value.search,
        statuses=tuple(value.status or ()),
        recruiter_id=pk_of(value.recruiter_id, "Recruiter", field="recruiterId")
        if value.recruiter_id
        else None,
        integration_id=pk_of(value.integration_id, "Integration", field="integrationId")
        if value.integration_id
        else None,
        is_active=value.is_active,
        created=date_range(value.created_at),
        opened=date_range(value.opened_at),
    )


@strawberry.type
class JobQueries:
    @strawberry.field(description="Requisitions of the caller's tenant.")
    async def jobs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: JobFilter | None = None,
        sort: JobSort | None = None,
    ) -> Connection[Job]:
        require(info, Permission.JOBS_READ)
        sort = sort or JobSort()
        return await list_connection(
            info,
            table_of(JobModel),
            job_criteria(filter),
            (sort.field.value, sort.direction is SortDirection.DESC),
            page_request(first, after, last, before),
            build_job,
        )

    @strawberry.field
    async def job(self, info: Info, id: strawberry.ID) -> Job | None:
        require(info, Permission.JOBS_READ)
        pk = pk_or_none(id, "Job")
        row = await info.context.loaders.job_by_id.load(pk) if pk is not None else None
        return build_job(row) if row is not None else None
