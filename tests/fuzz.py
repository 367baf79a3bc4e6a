"""API fuzzing glue: schemathesis reads an ASGI app's OpenAPI document and throws generated requests at
every operation, in process (no server, no network); no answer may be a 5xx.

    from tests.fuzz import assert_no_server_errors
    assert_no_server_errors(app, "/openapi.json", auth_headers={"Authorization": "Bearer …"})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup

MAX_EXAMPLES = 20  # per operation: enough to shake out a 500, small enough to keep the suite fast


def assert_no_server_errors(
    app: Any,
    openapi_path: str = "/openapi.json",
    auth_headers: Mapping[str, str] | None = None,
    *,
    max_examples: int = MAX_EXAMPLES,
) -> list[str]:
    """Fuzz every operation of `app`'s OpenAPI schema; raise on the first 5xx. Returns the operations run.

    `auth_headers` go with the schema download and with every generated request (a session cookie or
    a bearer token for routes behind a login). Schema-conformance checks are left out on purpose: this
    asks only "does any valid-looking request crash the server?".
    """
    headers = dict(auth_headers or {})
    schema = schemathesis.openapi.from_asgi(openapi_path, app, headers=headers)
    ran: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()  # an operation schemathesis cannot read fails here, loudly
        _fuzz(operation, headers, max_examples)
        ran.append(operation.label)
    if not ran:
        raise AssertionError(f"{openapi_path} lists no operation to fuzz")
    return ran


def _fuzz(operation: Any, headers: dict[str, str], max_examples: int) -> None:
    @settings(
        max_examples=max_examples,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.target, Phase.shrink],  # no slow explain phase
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(case=operation.as_strategy())
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers or None, checks=[not_a_server_error])

    try:
        run()
    except FailureGroup as failures:  # a BaseExceptionGroup: give pytest a plain assertion instead
        raise AssertionError(f"{operation.label}: {failures}") from failures
