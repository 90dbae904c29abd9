from __future__ import annotations

import strawberry

from gateway.permissions import Permission
from gateway.store.base import table_of
from gateway.store.models import Job as JobModel
from resolvers.context import Info
from resolvers.inputs import SortDirection
from resolvers.jobs.filters import JobFilter, JobSort, job_criteria
from resolvers.jobs.types import Job, build_job
from resolvers.listing import list_connection, page_request
from resolvers.permissions import require
from resolvers.relay import Connection, pk_or_none


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
