"""Users by id and their recruiter links, batched."""

from __future__ import annotations

from gateway.store.models import RecruiterLink, User
from resolvers.dataloaders import row_by_id_loader, rows_by_key_loader

UserByIdLoader = row_by_id_loader(User)
RecruiterLinksByUserIdLoader = rows_by_key_loader(
    RecruiterLink, "user_id", order_by=("integration_id", "id")
)
