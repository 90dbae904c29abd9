"""GraphQL candidates domain."""
