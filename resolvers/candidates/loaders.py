from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from gateway.services.activities import CONTACTED
from gateway.store.base import table_of
from gateway.store.id_lists import in_ids
from gateway.store.models import Activity, Candidate
from resolvers.dataloaders import TenantLoader, column_by_id_loader, row_by_id_loader

CandidateByIdLoader = row_by_id_loader(Candidate)


ResumeTextByCandidateIdLoader = column_by_id_loader(Candidate, "resume_text")
"""The stored resume text of each candidate: a heavy column, left out of the candidate
rows and read only when asked for."""


class LastContactedByCandidateIdLoader(TenantLoader[int, datetime | None]):
    """When each candidate was last contacted according to their source's activity log
    (``candidate.contacted`` activities), in one grouped statement per tick."""

    async def _load(self, keys: Sequence[int]) -> list[datetime | None]:
        a = table_of(Activity).c
        rows = await self.reader.all(
            sa.select(a.candidate_id, sa.func.max(a.created_at).label("at"))
            .where(
                a.tenant_id == self.tenant_id,
                a.action == CONTACTED,
                in_ids(a.candidate_id, keys),
            )
            .group_by(a.candidate_id)
        )
        latest = {row.candidate_id: row.at for row in rows}
        return [latest.get(key) for key in keys]
