"""GraphQL field mappings domain: a source's custom field put into a common-model field."""
