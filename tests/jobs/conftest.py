"""The queue fixtures (``tests.support.queue_harness``) for every test module here."""

from tests.support.queue_harness import fake_sync, harness, kind, world

__all__ = ["fake_sync", "harness", "kind", "world"]
