"""GraphQL activities domain: the audit timeline."""
