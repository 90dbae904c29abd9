"""The demo builder's shared state: the rows built so far, keyed by model, the records
later steps look up, and the helpers every step uses. Each step lives in its own mixin;
``demo.seed.builder`` puts them together."""

from __future__ import annotations

import random
import uuid

from demo.sandbox.declaration import DemoSandbox, RemoteIds, SeedLook
from demo.seed.store import INSERT_ORDER, DemoTenant, IdAllocator
from demo.seed.values import Row
from demo.seed.world import ALNUM, NUMERIC_BASE, SERIAL_PREFIX
from gateway.store.base import Base
from gateway.store.enums import PromptType
from gateway.store.models import Tenant

RECORD_GROUPS = 4
"""The stored seed's records go to at most this many integrations, the first in seed
order (the demo's served sandboxes come first); the others get their stages and links
but no records. More would split a caller's sizes too thin for distinct (job,
candidate) pairs within each integration, so the sizes one may ask for do not shrink as
providers join the demo."""


class BuilderState:
    """Builds every row of the demo tenant as dicts, keyed by model in insert order."""

    def __init__(self, rng: random.Random, ids: IdAllocator, *, slug: str, seed: int) -> None:
        self.rng = rng
        self.ids = ids
        self.slug = slug
        self.seed = seed
        self.rows: dict[type[Base], list[Row]] = {model: [] for model in INSERT_ORDER}
        self.tenant_id = ids.take(Tenant)
        self.users: dict[int, Row] = {}
        self.recruiters: list[Row] = []
        self.integrations: list[Row] = []
        self.declarations: list[DemoSandbox] = []
        """The demo declaration of each of ``integrations``, in the same order."""
        self.stage_ids: list[list[int]] = []
        self.jobs: dict[int, Row] = {}
        self.candidates: dict[int, Row] = {}
        self.applications: dict[int, Row] = {}
        self.transitions: dict[int, list[Row]] = {}
        self.prompt_ids: dict[PromptType, int] = {}
        self.persona_ids: list[int] = []
        self.demo: DemoTenant

    def _add(self, model: type[Base], row: Row) -> Row:
        self.rows[model].append(row)
        return row

    def _remote_id(self, look: SeedLook, kind: str, number: int) -> str:
        match look.ids:
            case RemoteIds.PREFIXED_ALNUM:
                return "o" + "".join(self.rng.choices(ALNUM, k=5)) + f"{number:04d}"
            case RemoteIds.PREFIXED_SERIAL:
                return f"{SERIAL_PREFIX[kind]}-{number:06d}"
            case RemoteIds.UUID:
                return self._uuid()
            case _:
                return str(NUMERIC_BASE[kind] + number)

    def _uuid(self, rng: random.Random | None = None) -> str:
        return str(uuid.UUID(int=(rng or self.rng).getrandbits(128), version=4))

    def _rng_of(self, slug: str) -> random.Random:
        """The draws for an integration that holds no records: a generator of its own, so
        a provider joining the demo leaves every other seeded value as it was."""
        if len(self.integrations) <= RECORD_GROUPS:
            return self.rng
        return random.Random(f"{self.seed}:{self.slug}:{slug}")

    @property
    def _record_groups(self) -> int:
        return min(RECORD_GROUPS, len(self.integrations))

    def _group(self, integration_id: int) -> int:
        return next(i for i, row in enumerate(self.integrations) if row["id"] == integration_id)

    def _look(self, integration_id: int) -> SeedLook:
        return self.declarations[self._group(integration_id)].look

    def _sync_actor(self, integration_id: int) -> tuple[str, str]:
        integration = self.integrations[self._group(integration_id)]
        return str(integration_id), f"{integration['name']} sync"
