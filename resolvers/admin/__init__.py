"""GraphQL admin domain."""
