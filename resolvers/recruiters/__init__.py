"""GraphQL recruiters domain: the tenant's users and their links to integrations."""
