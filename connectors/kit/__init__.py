"""The connector kit: what a provider declares instead of writing.

A provider is a package ``connectors/<slug>/`` holding

- a connector class (``connectors.base.ConnectorBase``) that declares its credentials,
  settings model, base URL per environment, headers and auth (``auth_for``), and
  implements the reads and writes it supports as mapping functions over
  ``HttpClient.pages`` with a paginator (``connectors.http``: page numbers, offsets,
  cursors, ``Link`` headers), an incremental filter on ``updated_since``, and
  ``Capability`` flags for what it can do;
- mappers from the vendor's records to the common model (``connectors.models``), lenient
  (``connectors.lenient``) and run through ``map_record`` so one bad record fails alone;
- its webhook scheme, declared (``connectors.kit.webhooks``: ``HmacWebhook`` and
  ``EventRules``) or, where no declaration fits, two functions (``WebhookFunctions``);
- ``PROVIDER = ProviderSpec(...)`` (``connectors.kit.provider``), which
  ``connectors.registry`` finds from the one line naming the package.

Rate limits are the integration's (``rateLimitPerSecond``) and the vendor's 429 with
``Retry-After``, which ``HttpClient`` waits out for every provider alike.

``talentgraph new-connector <slug>`` writes such a package, a fake of the vendor's API
for tests and the demo (``demo/sandbox/<slug>``), the contract suite's harness and a
first test, and adds the registry line. The README's "Adding a connector" walks
through it.
"""

from connectors.kit.provider import AuthKind, ProviderSpec, WebhookRoute
from connectors.kit.webhooks import (
    COMMON_EVENTS,
    EventRule,
    EventRules,
    HmacWebhook,
    WebhookFunctions,
    WebhookScheme,
)

__all__ = [
    "COMMON_EVENTS",
    "AuthKind",
    "EventRule",
    "EventRules",
    "HmacWebhook",
    "ProviderSpec",
    "WebhookFunctions",
    "WebhookRoute",
    "WebhookScheme",
]
