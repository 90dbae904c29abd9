"""The store: typed tables, engine and sessions, migrations."""

from gateway.store.base import Base
from gateway.store.engine import SessionFactory, create_engine, create_session_factory

__all__ = ["Base", "SessionFactory", "create_engine", "create_session_factory"]
