"""GraphQL integrations domain."""
