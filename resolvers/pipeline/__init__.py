"""GraphQL pipeline analytics domain."""
