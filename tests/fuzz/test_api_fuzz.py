"""Property-based fuzzing of the whole API with schemathesis (its v4 Python API).

The real app runs in a subprocess on the test database (``tests/browser/conftest.py``'s
live server); a few real objects are seeded so that ids hit something. For every operation
of ``/schema/openapi.json`` and each role (admin, community manager, authenticated by bearer
tokens) schemathesis draws positive and negative cases, plus positive cases whose path ids
are the seeded objects', sends them and checks the answers:

* ``not_a_server_error`` — no 5xx, ever;
* ``status_code_conformance`` — every status is documented for the operation;
* ``content_type_conformance`` and ``response_schema_conformance`` — the body is what the
  schema declares for that status.

Budget (bounded, reproducible): at most ``FACILITIES_FUZZ_EXAMPLES`` (default 3) examples per
operation and generation mode — that bound ends the run; every operation is fuzzed — and, as
a safety cap only, ``FACILITIES_FUZZ_SECONDS`` (default 600) per role and engine: an operation
the cap leaves out FAILS the test (it never passes with operations silently dropped; the
admin run took up to 204 s on a 2-core machine at load 8-11, hence the margin). Drawing
the cases costs more than sending them (~70 % of the run is Hypothesis and schemathesis in
the test process), so no case is drawn that proves nothing new:

* admin: positive, negative (malformed) and seeded-id cases for every operation; where the
  operation has path ids that the seed knows, its plain positive cases (random ids, which
  meet no object) are cut to one — it proves the 404 answer — and the seeded-id cases carry
  the positive bodies to real objects;
* community manager: no negative cases (validation answers the same for every role); its run
  is about scoping, so seeded-id cases where the operation has ids, positive cases elsewhere.
  Where its role lacks the operation's permission (86 of 257 operations) one case per mode:
  the permission guard answers 403 before the request's parameters or body are read
  (Litestar runs guards first), so every further case would prove the same answer;
* Hypothesis runs its generate phase only (no explicit examples exist, and shrinking is off
  because every failure is reported with its curl command and a rerun command).

Hypothesis is seeded (``FACILITIES_FUZZ_SEED``) and its example database is off, so the same
seed draws the same cases. Every failure is collected (the run does not stop at
the first) and printed with its curl command and the exact command that reruns only that
operation with the same seed.

**Each operation is fuzzed in one half of** ``make test`` (``engine_of``: a stable hash of
``"METHOD /path"``, so an operation keeps its engine while others are added; the halves hold
126 and 131 of 257 operations today, and together they fuzz every one). What the fuzzer
finds is almost always engine-independent: a 5xx from an unchecked input, an undocumented
status, a body that is not what the schema says — the checks run on validation and
serialisation code that is the same on both engines. The engine-dependent failure modes are
guarded by shared code that every operation uses: integers outside PostgreSQL's ``integer``
range are refused before any query (``kit/schema.py``'s ``Id``/``Int32`` in bodies,
``kit/params.py`` in URLs and queries), and each engine's half still fuzzes that guard on
about half of the operations with both roles. The per-operation engine behaviour (scoping
queries answering 404, list filters, constraint errors) is proved on both engines by the
permission matrix and the API tests, which run in both halves. The cost was the reason:
fuzzing every operation on both engines took ~40 % of each half's wall time (the two
halves drew the very same cases from the same seed and schema).
``FACILITIES_FUZZ_ALL=1`` fuzzes every operation on the engine at hand (a local full run);
``FACILITIES_FUZZ_OPERATION`` fuzzes the one named, whatever its half.

Left out, and why: nothing by operation. Two kinds of *case* are skipped, because they would
end the fuzzer's own session rather than test anything: revoking the fuzzer's own token, and
changing (deactivating, demoting) the fuzzer's own user.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import hypothesis.errors
import pytest
import requests
from hypothesis import HealthCheck, Phase

from facilities.accounts.enums import Role
from facilities.accounts.permissions import has_permission
from facilities.accounts.tables import ApiToken
from tests import assets_builders as ab
from tests import builders
from tests import workorders_builders as wb
from tests.browser.conftest import LiveServer
from tests.browser.conftest import server as server  # the live server fixture
from tests.conftest import ENGINE, ENGINES
from tests.maintenance.checklists import helpers as checklists
from tests.services import helpers as services

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.core.failures import Failure, FailureGroup  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("FACILITIES_FUZZ_SEED", "20261207"))
MAX_EXAMPLES = int(os.environ.get("FACILITIES_FUZZ_EXAMPLES", "3"))
BUDGET_SECONDS = float(os.environ.get("FACILITIES_FUZZ_SECONDS", "600"))
ONLY = os.environ.get("FACILITIES_FUZZ_OPERATION", "")  # e.g. "POST /api/v1/sites"
ALL_HERE = os.environ.get("FACILITIES_FUZZ_ALL") == "1"  # every operation on this engine
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
REQUEST_TIMEOUT = 30


@dataclass
class Seeded:
    """The fuzzer's credentials and the ids of real objects its cases may hit."""

    token: str
    token_id: int
    user_id: int
    ids: dict[str, int] = field(default_factory=dict)
    negative: bool = True  # draw malformed (negative) cases too


async def _seed(role: Role) -> Seeded:
    w = await wb.world()
    category = await ab.category()
    space = await ab.space(w.site.id)
    order = await wb.work_order(w.site.id, asset_id=w.asset_id)
    template = await checklists.template()
    contract = await services.contract(w.partner_org_id, [w.site.id])
    plan = await services.plan(contract.id)
    from tests import maintenance_builders as mb

    report = await mb.report(site_id=w.site.id)
    me = w.cm if role is Role.community_manager else await builders.user(role)
    secret = await builders.token(me)
    token_row = await ApiToken.select(ApiToken.id).where(ApiToken.user == me.id).first()
    assert token_row is not None
    ids = {
        "site_id": w.site.id,
        "region_id": w.site.region_id,
        "asset_id": w.asset_id,
        "space_id": space.id,
        "category_id": category.id,
        "work_order_id": order.id,
        "report_id": report.report.id,
        "template_id": template.id,
        "contract_id": contract.id,
        "plan_id": plan.id,
        "partner_id": w.partner_org_id,
        "user_id": w.partner.id,
    }
    # Malformed input is refused by the same validation whoever sends it: the admin (who may
    # reach every operation) draws the negative cases; the community manager, whose role
    # adds scoping (403/404 on others' objects), draws positive and seeded-id cases.
    negative = role is Role.admin
    return Seeded(token=secret, token_id=token_row["id"], user_id=me.id, ids=ids, negative=negative)


@dataclass
class Finding:
    operation: str
    mode: str
    title: str
    detail: str
    curl: str


def _label(operation: Any) -> str:
    return f"{operation.method.upper()} {operation.path}"


def engine_of(label: str) -> str:
    """The half of ``make test`` that fuzzes ``"METHOD /path"`` (see the module docstring)."""
    return ENGINES[zlib.crc32(label.encode()) % len(ENGINES)]


def _rerun_command(role: str, label: str) -> str:
    env = (
        f"FACILITIES_TEST_DB={ENGINE} FACILITIES_FUZZ_SEED={SEED} "
        f"FACILITIES_FUZZ_EXAMPLES={MAX_EXAMPLES} FACILITIES_FUZZ_OPERATION={shlex.quote(label)}"
    )
    return f"{env} pytest -p no:cacheprovider 'tests/fuzz/test_api_fuzz.py::test_api_fuzz[{role}]'"


def _own_session_case(case: Any, seeded: Seeded) -> bool:
    """Cases that would end the fuzzer's own session (see the module docstring)."""
    label = f"{case.method.upper()} {case.path}"
    params = case.path_parameters or {}
    if label == "DELETE /api/v1/tokens/{token_id}" and params.get("token_id") == seeded.token_id:
        return True
    return label.startswith(("PATCH /api/v1/users/{user_id}", "PUT /api/v1/users/{user_id}")) and (
        params.get("user_id") == seeded.user_id
    )


# Both roles' runs share the strategies: making one (the schema resolved into Hypothesis
# strategies, then validated on the first draw) costs more than drawing three cases from it,
# and every strategy of the community manager's run is one of the admin's (the seeded ids
# are the same: each run seeds a wiped database). A strategy draws the same cases from the
# same seed whichever run made it.
_STRATEGIES: dict[tuple[str, str, tuple[tuple[str, int], ...]], Any] = {}


def _strategy(operation: Any, mode: str, known: dict[str, int]) -> Any:
    key = (_label(operation), mode, tuple(sorted(known.items())))
    if key not in _STRATEGIES:
        if mode == "seeded ids":
            _STRATEGIES[key] = operation.as_strategy(path_parameters=known)
        else:
            generation = GenerationMode.NEGATIVE if mode == "negative" else GenerationMode.POSITIVE
            _STRATEGIES[key] = operation.as_strategy(generation)
    return _STRATEGIES[key]


def _modes(
    operation: Any, seeded: Seeded, known: dict[str, int], refused: bool
) -> list[tuple[str, Any, int]]:
    """(mode, strategy, examples) for one operation; see "Budget" in the module docstring."""
    # The guard refuses the role whatever the case: one case proves the 403 is documented.
    examples = 1 if refused else MAX_EXAMPLES
    modes: list[tuple[str, int]] = []
    if not known:
        modes.append(("positive", examples))
    elif seeded.negative:
        # Random path ids meet no object: one case proves the 404 is documented and whole.
        modes.append(("positive", 1))
    if seeded.negative:
        modes.append(("negative", examples))
    if known:
        modes.append(("seeded ids", examples))
    return [(mode, _strategy(operation, mode, known), n) for mode, n in modes]


def _refused(app: Any, role: Role) -> set[str]:
    """``"METHOD /path"`` of every operation whose permission ``role`` lacks (a 403 at the
    guard, before anything of the request is read; ``accounts/auth.py``'s permission_guard)."""
    refused = set()
    for route in app.routes:
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        for handler in getattr(route, "route_handlers", []):
            permission = handler.opt.get("permission")
            if handler.opt.get("public") or permission is None:
                continue
            if not has_permission(role, permission):
                refused |= {f"{method} {path}" for method in handler.http_methods}
    return refused


def _fuzz_operation(
    operation: Any,
    seeded: Seeded,
    base_url: str,
    findings: dict[tuple[str, str], Finding],
    timing: dict[str, float],
    refused: bool,
) -> int:
    headers = {"Authorization": f"Bearer {seeded.token}"}
    label = _label(operation)
    known = {
        p.name: seeded.ids[p.name]
        for p in operation.path_parameters
        if p.name in seeded.ids and p.name != "token_id"
    }
    modes = _modes(operation, seeded, known, refused)
    sent = 0
    session = requests.Session()
    for mode, strategy, examples in modes:

        @hypothesis.settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=False,
            phases=[Phase.generate],  # no explicit examples exist; no shrinking (see above)
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )
        @hypothesis.seed(SEED)
        @hypothesis.given(case=strategy.filter(lambda c: not _own_session_case(c, seeded)))
        def run(case: Any) -> None:
            nonlocal sent
            sent += 1
            begun = time.monotonic()
            response = case.call(
                base_url=base_url, session=session, headers=headers, timeout=REQUEST_TIMEOUT
            )
            timing["server"] += time.monotonic() - begun
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Failure, FailureGroup) as failure:
                text = str(failure)
                title = next((ln for ln in text.splitlines() if ln.strip()), "failure")
                title = re.sub(r"\d{3,}", "N", title)[:160]
                key = (label, f"{response.status_code // 100}xx {title}")
                if key not in findings:
                    findings[key] = Finding(
                        operation=label,
                        mode=mode,
                        title=f"{response.status_code} {title}",
                        detail=text[:3000],
                        curl=case.as_curl_command(headers=headers, base_url=base_url),
                    )

        with contextlib.suppress(hypothesis.errors.Unsatisfiable):
            run()
    session.close()
    return sent


@pytest.mark.parametrize("role", [Role.admin, Role.community_manager], ids=lambda r: r.value)
async def test_api_fuzz(server: LiveServer, app: Any, role: Role) -> None:
    seeded = await _seed(role)
    refused = _refused(app, role)
    headers = {"Authorization": f"Bearer {seeded.token}"}
    # Blocking HTTP on purpose: the server is another process, and schemathesis' calls
    # below are blocking too (the loop has nothing else to do meanwhile).
    raw = requests.get(  # noqa: ASYNC210
        f"{server.url}/schema/openapi.json", headers=headers, timeout=REQUEST_TIMEOUT
    )
    assert raw.status_code == 200, raw.text
    schema = schemathesis.openapi.from_dict(raw.json())
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if op.path.startswith("/api/")]
    in_schema = len(operations)
    if ONLY:
        operations = [op for op in operations if _label(op) == ONLY]
        assert operations, f"no operation {ONLY!r} in the schema"
    share = ""
    if not ONLY and not ALL_HERE:
        operations = [op for op in operations if engine_of(_label(op)) == ENGINE]
        assert operations, f"no operation falls to {ENGINE}'s half"
        share = "; the other engine's half fuzzes the rest"

    log_offset = server.log_size()
    findings: dict[tuple[str, str], Finding] = {}
    started = time.monotonic()
    sent = 0
    skipped: list[str] = []
    timing = {"server": 0.0}
    for operation in operations:
        if time.monotonic() - started > BUDGET_SECONDS:
            skipped.append(_label(operation))
            continue
        label = _label(operation)
        sent += _fuzz_operation(
            operation, seeded, server.url, findings, timing, refused=label in refused
        )
    elapsed = time.monotonic() - started
    summary = (
        f"fuzzed {len(operations) - len(skipped)} of {len(operations)} operations "
        f"({in_schema} in the schema{share}) as "
        f"{role.value} on {ENGINE}: {sent} requests in {elapsed:.0f} s "
        f"({timing['server']:.0f} s waiting for the server) "
        f"(seed {SEED}, {MAX_EXAMPLES} examples per operation and mode)"
    )
    print(summary)
    # The cap is a safety net, never the bound: an operation it dropped is a failure, not a
    # silent pass (raise FACILITIES_FUZZ_SECONDS, or find what made the run slow).
    assert not skipped, (
        f"{summary}\nthe time cap ({BUDGET_SECONDS:.0f} s, FACILITIES_FUZZ_SECONDS) was reached"
        f" before {len(skipped)} operation(s) were fuzzed: {', '.join(skipped)}"
    )

    logged = server.log_since(log_offset)
    if findings:
        lines = [summary, f"{len(findings)} distinct failure(s):", ""]
        for n, finding in enumerate(findings.values(), 1):
            lines += [
                f"[{n}] {finding.operation} ({finding.mode}): {finding.title}",
                f"    rerun: {_rerun_command(role.value, finding.operation)}",
                f"    curl (against a live server with the same data): {finding.curl}",
                "    " + finding.detail.replace("\n", "\n    ")[:1500],
                "",
            ]
        if "Traceback" in logged:
            lines += ["server log:", logged[-6000:]]
        pytest.fail("\n".join(lines), pytrace=False)
    assert "Traceback" not in logged, f"the server logged an error:\n{logged[-6000:]}"
