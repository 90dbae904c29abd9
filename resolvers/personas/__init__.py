"""GraphQL personas domain: interviewers' voices."""
