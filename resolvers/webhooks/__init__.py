"""GraphQL webhooks domain: outbound subscriptions and deliveries, inbound events."""
