"""Every text field of every form states the server's limit: its ``maxlength`` (and
``minlength``) equal the schema's the form is posted into (``kit/formlimits.py``), and a
text area says the limit next to it."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from facilities.accounts.enums import Role
from facilities.kit.formlimits import field_limit, form_schema_limits
from tests import assets_builders, builders, maintenance_builders, workorders_builders
from tests.services import helpers as service_helpers

_TEXT = {"", "text", "email", "url", "search", "tel", "password"}

# POST forms with free text that are no schema's form: each with its reason.
UNDECLARED = {
    "/login": "e-mail and password are checked against the account, not a schema",
    "/password-reset": "the address is looked up, never stored",
    "/account/password": "checked by the password rules of accounts.security",
}


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, dict[str, str | None]]]]] = []
        self._current: list[tuple[str, dict[str, str | None]]] | None = None
        self._path = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            if (values.get("method") or "get").lower() == "post":
                self._current = []
                self.forms.append((values.get("action") or self._path, self._current))
            else:
                self._current = None
        elif tag in ("input", "textarea") and self._current is not None:
            text = tag == "textarea" or (values.get("type") or "").lower() in _TEXT
            if text:
                self._current.append((tag, values))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


async def _pages() -> list[str]:
    world = await workorders_builders.world()
    asset = await assets_builders.asset(world.site.id, "Boiler")
    order = await workorders_builders.work_order(world.site.id, asset_id=asset.id)
    report = await maintenance_builders.report(asset_id=asset.id)
    contract = await service_helpers.contract(world.partner_org_id, [world.site.id])
    _site, _scanned, code = await maintenance_builders.scanned_asset()
    return [
        f"/q/{code}",
        "/checklist-templates/new",
        "/work-orders/new",
        f"/work-orders/{order.id}",
        f"/work-orders/{order.id}/edit",
        f"/problem-reports/{report.report.id}",
        "/report",
        "/assets/new",
        f"/assets/{asset.id}",
        f"/assets/{asset.id}/edit",
        "/assets/categories",
        "/assets/batches",
        "/sites/new",
        f"/sites/{world.site.id}",
        f"/sites/{world.site.id}/edit",
        "/schedules/new",
        "/contracts/new",
        f"/contracts/{contract.id}",
        f"/contracts/{contract.id}/edit",
        "/sla-policies",
        "/regions",
        "/admin/outbox",
        "/admin/users",
        "/admin/partners",
        "/admin/webhooks",
        "/account",
        "/calendar",
        f"/assets/{asset.id}/meter-readings",
    ]


async def test_every_text_field_carries_the_server_limit(make_client: Any) -> None:
    pages = await _pages()
    admin = await builders.user(Role.admin)
    client = await builders.browser_session(make_client, admin)
    checked, problems, undeclared = 0, [], set()
    for path in pages:
        response = await client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        parser = _Forms()
        parser._path = path
        parser.feed(response.text)
        for action, fields in parser.forms:
            if not fields:
                continue
            limits = form_schema_limits(action)
            if limits is None:
                if action.split("?")[0] not in UNDECLARED:
                    undeclared.add(f"{action} (on {path}): {[f[1].get('name') for f in fields]}")
                continue
            for tag, attrs in fields:
                limit = field_limit(limits, attrs.get("name") or "")
                if limit is None or limit.max_length is None:
                    continue
                checked += 1
                if attrs.get("maxlength") != str(limit.max_length):
                    problems.append(
                        f"{path} → {action}: {tag} {attrs.get('name')} maxlength="
                        f"{attrs.get('maxlength')} (server: {limit.max_length})"
                    )
                if tag == "textarea" and not attrs.get("aria-describedby"):
                    problems.append(f"{path} → {action}: {attrs.get('name')} states no limit")
    assert checked > 40, checked
    assert not problems, "\n".join(problems)
    assert not undeclared, "\n".join(sorted(undeclared))
