"""GraphQL interviews domain."""
