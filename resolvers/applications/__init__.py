"""GraphQL applications domain."""
