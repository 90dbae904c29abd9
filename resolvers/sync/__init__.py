"""GraphQL sync domain: sync runs, "sync now" mutations and the background job queue."""
