"""The operational log in GraphQL: ``logs`` (``gateway.oplog`` writes it)."""
