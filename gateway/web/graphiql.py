"""GraphiQL on ``GET /graphql`` for browsers, served from the gateway alone.

React, GraphiQL and its explorer plugin come from ``/static/vendor`` (see
``static/vendor/VERSIONS.md``), ``static/js/graphiql-setup.js`` starts it from the
page config: the example query, the headers template and, in development only, the
demo admin's token. ``resolvers.http`` answers browsers with ``graphiql_response``
when ``Settings.graphiql_enabled``.

The demo token: in development, when the store holds the ``demo`` tenant (``talentgraph
serve --demo`` or ``talentgraph demo``), the page carries a token of its first active
admin, which the "Use the demo admin token" button puts into the headers editor, and
only to a browser on the gateway's own machine (a loopback client address, after
``TRUSTED_PROXIES``): a gateway left in development on a reachable address must not hand
an admin token to whoever opens its GraphiQL. Outside development the page never looks
for one, and a page carrying a token is never stored by caches.
"""

from __future__ import annotations

import ipaddress
import logging

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from gateway.auth import issue_token
from gateway.runtime import runtime_of
from gateway.store.enums import Role
from gateway.store.models import Tenant, User
from gateway.unavailable import is_infrastructure_failure
from gateway.web.render import html_page
from gateway.web.sources import source_names

logger = logging.getLogger("talentgraph.web")

DEMO_TENANT = "demo"
DEMO_TOKEN_TTL_SECONDS = 12 * 60 * 60

HEADERS_TEMPLATE = '{\n  "Authorization": "Bearer <paste a token from: talentgraph token>"\n}'

EXAMPLE_QUERY = """\
#
# Every request needs a token. Paste one into the Headers tab below, as
#   {"Authorization": "Bearer <token>"}
# Get one with: talentgraph token --tenant <slug> --email <user's email>
# (talentgraph serve --demo prints the demo admin's when it starts).
#
# Run this with Ctrl-Enter or the play button: open requisitions with their
# applications, each with its candidate and the stage it is in.
query OpenJobs {
  jobs(first: 5, filter: {status: [OPEN]}) {
    totalCount
    nodes {
      id
      title
      applications(first: 3) {
        totalCount
        nodes {
          status
          candidate { name }
          currentStage { name }
        }
      }
    }
  }
}

# Live updates: open a new tab (+), paste the subscription below with a job id
# from the answer above, and run it. Each change to that job's applications
# (created, moved, rejected, hired, updated) shows up on the right as it happens;
# it runs over the WebSocket at /graphql with the same Authorization header.
#
# subscription PipelineUpdates {
#   pipelineUpdates(jobId: "<a job id from above>") {
#     kind
#     stage
#     previousStage
#     applicationId
#   }
# }
"""


def example_query() -> str:
    """The example, introduced by the sources the gateway reads (``gateway.web.sources``)."""
    return (
        "# talentgraph: one GraphQL API over the recruiting systems an agency uses:\n"
        f"# {source_names()}.\n" + EXAMPLE_QUERY
    )


async def graphiql_response(request: Request) -> Response:
    settings = runtime_of(request).settings
    offered = settings.is_development and _from_this_machine(request)
    demo_token = await _demo_admin_token(request) if offered else None
    config: dict[str, object] = {
        "endpoint": "/graphql",
        "query": example_query(),
        "headers": HEADERS_TEMPLATE,
    }
    if demo_token is not None:
        config["demoToken"] = demo_token
    return html_page("graphiql", config=config, private=demo_token is not None)


def _from_this_machine(request: Request) -> bool:
    if request.client is None:
        return False
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


async def _demo_admin_token(request: Request) -> str | None:
    """A token of the demo tenant's first active admin; ``None`` without the demo or
    while the database cannot be reached (the page still works, without the button)."""
    runtime = runtime_of(request)
    try:
        async with runtime.session_factory() as session:
            found = (
                await session.execute(
                    sa.select(Tenant.id, User.id, User.token_version)
                    .join(User, User.tenant_id == Tenant.id)
                    .where(Tenant.slug == DEMO_TENANT, User.role == Role.ADMIN, User.is_active)
                    .order_by(User.id)
                    .limit(1)
                )
            ).first()
    except Exception as exc:
        if not is_infrastructure_failure(exc):
            raise
        logger.warning("GraphiQL without the demo token: the store is unreachable: %r", exc)
        return None
    if found is None:
        return None
    tenant_id, user_id, token_version = found
    return issue_token(
        runtime.jwt_secret,
        tenant_id=tenant_id,
        tenant_slug=DEMO_TENANT,
        user_id=user_id,
        role=Role.ADMIN,
        ttl_seconds=DEMO_TOKEN_TTL_SECONDS,
        token_version=token_version,
    )
