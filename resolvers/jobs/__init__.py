"""GraphQL jobs domain."""
