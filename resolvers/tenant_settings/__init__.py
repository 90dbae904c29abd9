"""GraphQL tenant settings domain."""
