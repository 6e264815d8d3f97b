"""The public scan page ``/q/{code}`` and the reporter's private status page ``/r/{token}``.

Public where the asset's site allows anonymous reports, otherwise sign-in. Light on purpose
(one small HTML page, the shared stylesheet, no JavaScript). IP addresses only feed the rate
limiter as keyed hashes; nothing here stores them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import File, Redirect, Response, Template

from facilities.accounts.principal import Principal
from facilities.assets import queries as asset_queries
from facilities.assets import scan_targets
from facilities.assets.enums import ASSET_STATUS_LABELS
from facilities.assets.schemas import AssetCard, CodeLookup
from facilities.kit import forms
from facilities.kit.errors import FacilitiesError, RateLimited
from facilities.kit.i18n import _
from facilities.kit.ratelimit import client_address
from facilities.kit.security import new_token
from facilities.kit.templating import page, redirect
from facilities.kit.web import Form, Multipart, Req, optional_upload, stored_file_response
from facilities.maintenance import limits
from facilities.maintenance.enums import ReportSource
from facilities.maintenance.reports import actions, queries
from facilities.maintenance.reports.schemas import ProblemReportCreate, VoteCreate
from facilities.maintenance.reports.view import (
    HONEYPOT,
    labels,
    time_ago,
)
from facilities.settings import get_settings
from facilities.sites import scope

REPORT_FIELDS = ("category", "description", "urgency", "reporter_name", "reporter_email")
PRIVATE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


OFFLINE_WORKER = Path(__file__).resolve().parents[3] / "static" / "offline-sw.js"
_CLIENT_KEY = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def client_key(value: object) -> str | None:
    """The offline queue's key of one submission (a UUID), or None for anything else."""
    text = value.strip().lower() if isinstance(value, str) else ""
    return text if _CLIENT_KEY.fullmatch(text) else None


class _Fields(dict[str, Any]):
    """Form values or errors by field; a missing field reads as "" (cheap lookups in Jinja)."""

    def __missing__(self, key: str) -> str:
        return ""


class Scan:
    """A resolved, viewable label: the code, its asset card, and who is looking."""

    def __init__(self, lookup: CodeLookup, card: AssetCard, principal: Principal | None) -> None:
        self.lookup = lookup
        self.card = card
        self.principal = principal


def _user(request: Req) -> Principal | None:
    principal: Principal | None = request.scope.get("user")
    return principal


def _code_page(request: Req, template: str, status: int, **context: Any) -> Template:
    response = page(request, f"maintenance/{template}", context, status_code=status)
    response.headers.update(PRIVATE)
    return response


async def _is_staff(principal: Principal | None, site_id: int) -> bool:
    return bool(
        principal is not None
        and principal.can("reports.view")
        and await scope.can_see_site(principal, site_id)
    )


async def _open(request: Req, code: str, *, log: bool) -> Scan | Response[Any]:
    """The scan for ``code``, or the page to answer instead (unknown, revoked, blank …)."""
    principal = _user(request)
    resolved = await asset_queries.resolve_scan(code)
    if resolved is None:
        return _code_page(request, "code_unknown.html", 404, code=code)
    lookup, card = resolved
    if log:
        await asset_queries.log_scan(
            qr_code_id=lookup.qr_code_id,
            asset_id=lookup.asset_id,
            user_id=principal.user_id if principal else None,
        )
    if lookup.status == "revoked":
        return _code_page(request, "code_revoked.html", 410, code=lookup.code)
    if lookup.target_kind is not None:
        return await _open_target(request, lookup, principal)
    if lookup.status == "replaced":
        show_new = False
        if principal is not None and principal.can("assets.view"):
            show_new = lookup.asset_id is None or await scope.can_see_site(
                principal,
                card.site_id if card else (await asset_queries.asset_card(lookup.asset_id)).site_id,
            )
        return _code_page(
            request,
            "code_replaced.html",
            200,
            code=lookup.code,
            new_code=lookup.replaced_by if show_new else None,
        )
    if lookup.asset_id is None:
        can_claim = principal is not None and principal.can("qr.claim")
        return _code_page(request, "code_blank.html", 200, code=lookup.code, can_claim=can_claim)
    if card is None:
        card = await asset_queries.asset_card(lookup.asset_id)
    if not card.allow_anonymous_reports and principal is None:
        return Redirect(path=f"/login?next={quote('/q/' + lookup.code)}", status_code=303)
    return Scan(lookup, card, principal)


async def _open_target(
    request: Req, lookup: CodeLookup, principal: Principal | None
) -> Response[Any]:
    """A label of an upper domain's thing (a meter): its page, after a sign-in (what such a
    page does is a write, e.g. entering a reading); the sign-in comes back to the code."""
    assert lookup.target_kind is not None and lookup.target_id is not None
    target = await scan_targets.resolve(lookup.target_kind, lookup.target_id)
    if target is None:
        return _code_page(request, "code_unknown.html", 404, code=lookup.code)
    if principal is None:
        return Redirect(path=f"/login?next={quote('/q/' + lookup.code)}", status_code=303)
    if lookup.status == "replaced":
        show_new = await scope.can_see_site(principal, target.site_id)
        return _code_page(
            request,
            "code_replaced.html",
            200,
            code=lookup.code,
            new_code=lookup.replaced_by if show_new else None,
        )
    return Redirect(path=target.path, status_code=303, headers=PRIVATE)


async def _scan_page(
    request: Req,
    scan: Scan,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Template:
    card = scan.card
    reports = await queries.open_reports_for_asset(card.id)
    reporter = actions.reporter_key(scan.principal, _browser(request))
    response = page(
        request,
        "maintenance/scan.html",
        {
            "code": scan.lookup.code,
            "card": card,
            "reports": reports,
            "voted": await queries.voted_report_ids(reporter, [r.id for r in reports]),
            "staff": await _is_staff(scan.principal, card.site_id),
            "can_triage": scan.principal is not None and scan.principal.can("reports.triage"),
            "values": _Fields(values or {"category": "broken", "urgency": "normal"}),
            "errors": _Fields(errors or {}),
            "ago": time_ago,
            "honeypot": HONEYPOT,
            "asset_status_labels": {k.value: _(v) for k, v in ASSET_STATUS_LABELS.items()},
            **labels(),
        },
        status_code=status,
    )
    response.headers.update({"Cache-Control": "private, no-store", **(headers or {})})
    return response


REPORTER_COOKIE = "facilities_reporter"
REPORTER_COOKIE_DAYS = 730


def _browser(request: Req) -> str | None:
    """The reporter's browser id (a random cookie we set at the first "same problem")."""
    value = request.cookies.get(REPORTER_COOKIE, "")
    return (
        value
        if 32 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum()
        else None
    )


def _remember_browser(response: Response[Any], value: str) -> None:
    response.set_cookie(
        REPORTER_COOKIE,
        value,
        max_age=REPORTER_COOKIE_DAYS * 86400,
        httponly=True,
        secure=get_settings().secure_cookies,
        samesite="lax",
        path="/q",
    )


def _subject(request: Req, principal: Principal | None) -> str:
    """Who is counted by the rate limiter: the user if signed in, else the client address."""
    return f"user:{principal.user_id}" if principal else f"ip:{client_address(request)}"


REPORT_BODY_LIMIT = 48 * 1024 * 1024


class ScanPages(Controller):
    include_in_schema = False

    @get("/q/{code:str}", opt={"public": True})
    async def scan(self, request: Req, code: FromPath[str]) -> Response[Any]:
        opened = await _open(request, code, log=True)
        if not isinstance(opened, Scan):
            return opened
        return await _scan_page(request, opened)

    @get("/q/{code:str}/photo", opt={"public": True})
    async def photo(self, request: Req, code: FromPath[str]) -> Response[Any]:
        """Only the primary photo of the asset behind this label."""
        opened = await _open(request, code, log=False)
        if not isinstance(opened, Scan):
            raise FacilitiesError(_("Not found."), 404, "not_found")
        found = await asset_queries.primary_photo(opened.card.id)
        if found is None:
            raise FacilitiesError(_("Not found."), 404, "not_found")
        key, content_type = found
        return await stored_file_response(key, content_type)

    @get("/q/offline-sw.js", opt={"public": True}, include_in_schema=False)
    async def offline_worker(self) -> File:
        """The offline queue's service worker, served under /q/ so its scope is /q/."""
        return File(
            path=OFFLINE_WORKER,
            media_type="text/javascript",
            content_disposition_type="inline",
            headers={"Cache-Control": "no-cache"},
        )

    # Phones make 5–12 MB photos and the page shrinks them before upload (static/photo.js);
    # without JavaScript a photo up to this size still reaches the handler, which refuses it
    # with the form re-rendered and the text kept (413), instead of a bare error page.
    @post(
        "/q/{code:str}/report",
        opt={"public": True, "form": ProblemReportCreate},
        status_code=303,
        request_max_body_size=REPORT_BODY_LIMIT,
    )
    async def report(self, request: Req, code: FromPath[str], data: Multipart) -> Response[Any]:
        opened = await _open(request, code, log=False)
        if not isinstance(opened, Scan):
            return opened
        if str(data.get(HONEYPOT) or "").strip():
            # A bot filled the hidden field: the same answer as a success, nothing stored.
            return Redirect(path=f"/r/{new_token(24)}", status_code=303)
        entered = {k: v for k, v in data.items() if k in REPORT_FIELDS and isinstance(v, str)}
        values = forms.clean(entered, keep_empty=frozenset({"description"}))
        values.setdefault("description", "")
        try:
            await limits.limiter.hit(
                (limits.REPORTS_PER_CLIENT, _subject(request, opened.principal)),
                (limits.REPORTS_PER_CODE, opened.lookup.code),
            )
        except RateLimited as error:
            return await _scan_page(
                request,
                opened,
                values=values,
                errors={"form": error.message},
                status=429,
                headers={"Retry-After": str(error.retry_after)},
            )
        report, errors = forms.convert({**values, "asset_id": opened.card.id}, ProblemReportCreate)
        status = 422
        if report is not None:
            try:
                photo = await optional_upload(data.get("photo"))
                created = await actions.create_report(
                    actor=opened.principal,
                    data=report,
                    source=ReportSource.scan,
                    photo=photo,
                    scoped=False,
                    client_key=client_key(data.get("client_key")),
                )
                if created.token is None:  # sent again by the offline queue: arrived before
                    return redirect(f"/q/{code}", _("Thank you! Your report had already arrived."))
                return redirect(
                    f"/r/{created.token}",
                    _("Thank you! Your report was sent. Keep this page's address to follow it."),
                )
            except FacilitiesError as error:
                errors = forms.errors_of(error)
                if error.code == "too_large":
                    errors = {"photo": error.message}
                status = error.status_code
        return await _scan_page(request, opened, values=values, errors=errors, status=status)

    @post(
        "/q/{code:str}/reports/{report_id:int}/same",
        opt={"public": True, "form": VoteCreate},
        status_code=303,
    )
    async def same(
        self, request: Req, code: FromPath[str], report_id: FromPath[int], data: Form
    ) -> Response[Any]:
        opened = await _open(request, code, log=False)
        if not isinstance(opened, Scan):
            return opened
        if str(data.get(HONEYPOT) or "").strip():
            return redirect(f"/q/{opened.lookup.code}", _("Thanks, we counted you in."))
        try:
            await limits.limiter.hit(
                (limits.SAME_PER_CLIENT, _subject(request, opened.principal)),
                (limits.SAME_PER_CODE, opened.lookup.code),
            )
        except RateLimited as error:
            return await _scan_page(
                request,
                opened,
                errors={"form": error.message},
                status=429,
                headers={"Retry-After": str(error.retry_after)},
            )
        vote, errors = forms.convert(
            {"comment": str(data.get("comment") or "").strip()}, VoteCreate
        )
        if vote is not None:
            browser = _browser(request)
            new_browser = None
            if opened.principal is None and browser is None:
                browser = new_browser = new_token()
            try:
                counted = await actions.add_vote_on_asset(
                    actor=opened.principal,
                    asset_id=opened.card.id,
                    report_id=report_id,
                    data=vote,
                    browser=browser,
                )
                answer = redirect(
                    f"/q/{opened.lookup.code}",
                    _("Thanks, we counted you in.")
                    if counted.counted
                    else _("You already reported this — thanks"),
                )
                if new_browser is not None:
                    _remember_browser(answer, new_browser)
                return answer
            except FacilitiesError as error:
                if error.status_code == 404:
                    return redirect(
                        f"/q/{opened.lookup.code}",
                        _("That report is closed already. Report it again if it is back."),
                        "warning",
                    )
                errors = forms.errors_of(error)
        return await _scan_page(
            request, opened, errors={f"same_{k}": v for k, v in errors.items()}, status=422
        )

    @get("/r/{token:str}", opt={"public": True})
    async def status(self, request: Req, token: FromPath[str]) -> Template:
        """The reporter's private status link: status and outcome, nobody's personal data."""
        view = await queries.status_by_token(token) if len(token) <= 64 else None
        if view is None:
            return _code_page(request, "status_unknown.html", 404)
        return _code_page(
            request,
            "status.html",
            200,
            view=view,
            link=f"{get_settings().base_url}/r/{token}",
            ago=time_ago,
            **labels(),
        )
