"""The compiled path of a query request: its ``data`` as the database wrote it, or None.

``resolvers.http`` asks here first for every admitted query of a signed-in caller.
None means "run it on the resolvers": the document does not compile, its variables or
arguments need the resolvers' error, or the statement failed for a reason other than an
unreachable database (logged; the caller still gets the resolvers' answer). An
unreachable database raises, as on the resolver path, and the transport answers 503.
"""

from __future__ import annotations

import logging
from typing import Any

from graphql.execution.values import VariableValues, get_variable_values
from strawberry import Schema

from gateway import tracing
from gateway.auth import Principal
from gateway.metrics import COMPILED_READS
from gateway.runtime import Runtime
from gateway.unavailable import is_infrastructure_failure
from resolvers.compiled.json_sql import json_sql_for
from resolvers.compiled.plan import OperationPlan, plan_for
from resolvers.compiled.render import Fallback, Request, statement_for
from resolvers.input_guard import input_problems

logger = logging.getLogger("talentgraph.compiled")


async def compiled_data(
    schema: Schema,
    runtime: Runtime,
    principal: Principal | None,
    query: str,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> bytes | None:
    """The JSON text of the response's ``data``, or None to run on the resolvers."""
    if principal is None or not runtime.settings.read_compiler:
        return None
    plan = plan_for(schema, query, operation_name)
    json = json_sql_for(runtime.statements.dialect_name)
    if plan is None or json is None:
        COMPILED_READS.labels("not_compilable").inc()
        return None
    coerced = get_variable_values(
        schema._schema, plan.operation.variable_definitions or (), variables or {}
    )
    if isinstance(coerced, list) or _input_problems(
        schema, plan, operation_name, variables, runtime
    ):
        COMPILED_READS.labels("arguments").inc()
        return None
    assert isinstance(coerced, VariableValues)
    try:
        request = Request(schema, json, principal, coerced)
        statement, values = statement_for(plan, request, runtime.statements.prepare)
    except Fallback:
        COMPILED_READS.labels("arguments").inc()
        return None
    try:
        with tracing.tracer("talentgraph.graphql").start_as_current_span("graphql.compiled_read"):
            text = await runtime.statements.scalar(statement, values)
    except Exception as exc:
        if is_infrastructure_failure(exc):
            raise
        logger.error("compiled read failed; answered by the resolvers", exc_info=exc)
        COMPILED_READS.labels("failed").inc()
        return None
    COMPILED_READS.labels("compiled").inc()
    return str(text).encode()


def _input_problems(
    schema: Schema,
    plan: OperationPlan,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    runtime: Runtime,
) -> bool:
    """Whether the resolvers would refuse the arguments (``resolvers.input_guard``);
    checked once per document when it has no variables."""
    limit = runtime.settings.max_search_chars
    fixed = not plan.operation.variable_definitions
    if fixed and limit in plan.literal_checks:
        return plan.literal_checks[limit]
    found = bool(
        input_problems(schema._schema, plan.document, operation_name, variables, max_search=limit)
    )
    if fixed:
        plan.literal_checks[limit] = found
    return found
