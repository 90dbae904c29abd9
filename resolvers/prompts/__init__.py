"""GraphQL prompts domain: the templates the AI steps are given."""
