"""Server-rendered pages: sign-in, password reset, own account and API tokens, users."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlparse

import aiosmtplib
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from facilities.accounts import actions, queries
from facilities.accounts.auth import SESSION_COOKIE
from facilities.accounts.controllers._capacity import capacity_hours, capacity_minutes
from facilities.accounts.enums import ROLE_LABELS, Locale, Role
from facilities.accounts.principal import actor
from facilities.accounts.schemas import ApiTokenCreate, UserCreate, UserUpdate
from facilities.kit import forms, mail
from facilities.kit.errors import FacilitiesError, RateLimited, RuleViolation
from facilities.kit.i18n import _, using_locale
from facilities.kit.ratelimit import client_address
from facilities.kit.templating import mail_environment, page, redirect
from facilities.kit.web import Form, Req
from facilities.settings import get_settings

log = logging.getLogger(__name__)


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are valid redirect targets after sign-in."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def session_cookie_response(response: Response[Any], token: str | None) -> Response[Any]:
    settings = get_settings()
    if token is None:
        response.delete_cookie(SESSION_COOKIE, path="/")
    else:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=settings.session_days * 86400,
            httponly=True,
            secure=settings.secure_cookies,
            samesite="lax",
            path="/",
        )
    return response


async def _send_reset_mail(to: str, name: str, locale: str, token: FromPath[str]) -> None:
    settings = get_settings()
    env = mail_environment()
    with using_locale(locale):
        link = f"{settings.base_url}/password-reset/{token}"
        text = env.get_template("email/password_reset.txt").render(name=name, link=link)
        message = mail.build_message(
            settings, to=to, subject=_("Reset your Facilities password"), text=text
        )
    try:
        await mail.send(settings, message)
    except (aiosmtplib.SMTPException, OSError) as error:
        log.warning("password reset mail to %s not sent: %s", to, error.__class__.__name__)


class AccountPages(Controller):
    include_in_schema = False

    # ---- sign-in ----------------------------------------------------------------------

    @get("/login", opt={"public": True})
    async def login_form(self, request: Req, next: FromQuery[str | None] = None) -> Template:
        return page(
            request, "accounts/login.html", {"next": safe_next(next), "errors": {}, "email": ""}
        )

    @post("/login", opt={"public": True})
    async def login(self, request: Req, data: Form) -> Response[Any]:
        email = str(data.get("email", "")).strip()
        target = safe_next(str(data.get("next", "/")))
        try:
            signed_in = await actions.sign_in(
                email=email, password=str(data.get("password", "")), client=client_address(request)
            )
        except FacilitiesError as error:
            status = 429 if isinstance(error, RateLimited) else 401
            refused = page(
                request,
                "accounts/login.html",
                {"next": target, "errors": {"form": error.message}, "email": email},
                status_code=status,
            )
            if isinstance(error, RateLimited):
                refused.headers["Retry-After"] = str(error.retry_after)
            return refused
        return session_cookie_response(
            Redirect(path=target, status_code=303), signed_in.session_token
        )

    @post("/logout", opt={"permission": "profile.use"})
    async def logout(self, request: Req) -> Response[Any]:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await actions.sign_out(session_token=token)
        response = redirect("/login", _("You are signed out."))
        return session_cookie_response(response, None)

    # ---- password reset ---------------------------------------------------------------

    @get("/password-reset", opt={"public": True})
    async def reset_form(self, request: Req) -> Template:
        return page(request, "accounts/reset_request.html", {"sent": False, "errors": {}})

    @post("/password-reset", opt={"public": True})
    async def reset_request(self, request: Req, data: Form) -> Template:
        try:
            started = await actions.start_password_reset(
                email=str(data.get("email", "")), client=client_address(request)
            )
        except RateLimited as error:
            return page(
                request,
                "accounts/reset_request.html",
                {"sent": False, "errors": {"form": error.message}},
                status_code=429,
            )
        if started is not None:
            token, user = started
            await _send_reset_mail(user["email"], user["name"], user["locale"], token)
        return page(request, "accounts/reset_request.html", {"sent": True, "errors": {}})

    @get("/password-reset/{token:str}", opt={"public": True})
    async def reset_password_form(self, request: Req, token: FromPath[str]) -> Template:
        return page(request, "accounts/reset_password.html", {"token": token, "errors": {}})

    @post("/password-reset/{token:str}", opt={"public": True})
    async def reset_password(self, request: Req, token: FromPath[str], data: Form) -> Response[Any]:
        password = str(data.get("password", ""))
        if password != str(data.get("password_repeat", "")):
            errors = {"password_repeat": _("The passwords do not match.")}
            return page(
                request,
                "accounts/reset_password.html",
                {"token": token, "errors": errors},
                status_code=422,
            )
        try:
            await actions.finish_password_reset(token=token, password=password)
        except FacilitiesError as error:
            return page(
                request,
                "accounts/reset_password.html",
                {"token": token, "errors": forms.errors_of(error)},
                status_code=error.status_code,
            )
        return redirect("/login", _("Your password was changed. Please sign in."))

    # ---- own account ------------------------------------------------------------------

    @get("/account", opt={"permission": "profile.use"})
    async def account(self, request: Req) -> Template:
        return await self._account_page(request, {})

    async def _account_page(
        self,
        request: Req,
        errors: dict[str, str],
        *,
        new_secret: str | None = None,
        status: int = 200,
    ) -> Template:
        tokens = await queries.list_api_tokens(actor(request))
        return page(
            request,
            "accounts/account.html",
            {"tokens": tokens, "errors": errors, "new_secret": new_secret, "locales": list(Locale)},
            status_code=status,
        )

    @post("/account/password", opt={"permission": "profile.use"})
    async def change_password(self, request: Req, data: Form) -> Response[Any]:
        new = str(data.get("new_password", ""))
        if new != str(data.get("new_password_repeat", "")):
            return await self._account_page(
                request, {"new_password_repeat": _("The passwords do not match.")}, status=422
            )
        try:
            await actions.change_own_password(
                actor=actor(request), current=str(data.get("current_password", "")), new=new
            )
        except FacilitiesError as error:
            return await self._account_page(
                request, forms.errors_of(error), status=error.status_code
            )
        return redirect("/account", _("Your password was changed."))

    @post("/account/locale", opt={"permission": "profile.use", "form": UserUpdate})
    async def change_locale(self, request: Req, data: Form) -> Response[Any]:
        update, errors = forms.convert({"locale": data.get("locale")}, UserUpdate)
        if update is None:
            return await self._account_page(request, errors, status=422)
        me = actor(request)
        await actions.update_user(actor=me, user_id=me.account_id, data=update)
        with using_locale(str(data.get("locale"))):
            return redirect("/account", _("Language saved."))

    @post("/account/tokens", opt={"permission": "profile.use", "form": ApiTokenCreate})
    async def create_token(self, request: Req, data: Form) -> Template:
        values = forms.clean(data)
        token_data, errors = forms.convert(values, ApiTokenCreate)
        if token_data is None:
            return await self._account_page(request, errors, status=422)
        created = await actions.create_api_token(actor=actor(request), data=token_data)
        return await self._account_page(request, {}, new_secret=created.secret)

    @post("/account/tokens/{token_id:int}/revoke", opt={"permission": "profile.use"})
    async def revoke_token(self, request: Req, token_id: FromPath[int]) -> Response[Any]:
        await actions.revoke_api_token(actor=actor(request), token_id=token_id)
        return redirect("/account", _("The token was revoked."))

    # ---- users (admin) ----------------------------------------------------------------

    @get("/admin/users", opt={"permission": "users.view"})
    async def users(self, request: Req, q: FromQuery[str | None] = None) -> Template:
        return await self._users_page(request, q, {}, {})

    async def _users_page(
        self,
        request: Req,
        q: str | None,
        errors: dict[str, str],
        values: dict[str, Any],
        status: int = 200,
    ) -> Template:
        users = await queries.list_users(q=q, limit=200)
        partners = await queries.list_partner_organisations()
        return page(
            request,
            "accounts/users.html",
            {
                "users": users,
                "q": q or "",
                "roles": list(Role),
                "role_labels": ROLE_LABELS,
                "partners": partners,
                "errors": errors,
                "values": values,
                "limits": forms.limits(UserCreate),
            },
            status_code=status,
        )

    @post("/admin/users", opt={"permission": "users.manage", "form": UserCreate})
    async def create_user(self, request: Req, data: Form) -> Response[Any]:
        values = forms.clean(data)
        user_data, errors = forms.convert(values, UserCreate)
        if user_data is None:
            return await self._users_page(request, None, errors, values, 422)
        try:
            user = await actions.create_user(actor=actor(request), data=user_data)
        except FacilitiesError as error:
            return await self._users_page(
                request, None, forms.errors_of(error), values, error.status_code
            )
        return redirect(f"/admin/users/{user.id}", _("User created."))

    @get("/admin/users/{user_id:int}", opt={"permission": "users.view"})
    async def user(self, request: Req, user_id: FromPath[int]) -> Template:
        return await self._user_page(request, user_id, {})

    async def _user_page(
        self,
        request: Req,
        user_id: FromPath[int],
        errors: dict[str, str],
        status: int = 200,
        values: dict[str, Any] | None = None,
    ) -> Template:
        """The user's page; after a refused save, with what was typed (``values``)."""
        user = await queries.get_user(user_id)
        partners = await queries.list_partner_organisations()
        shown = values or {
            "name": user.name,
            "role": user.role.value,
            "locale": user.locale.value,
            "partner_organisation_id": user.partner_organisation_id,
            "active": user.active,
            "weekly_capacity_hours": capacity_hours(user.weekly_capacity_minutes),
        }
        return page(
            request,
            "accounts/user.html",
            {
                "user": user,
                "roles": list(Role),
                "role_labels": ROLE_LABELS,
                "locales": list(Locale),
                "partners": partners,
                "errors": errors,
                "values": shown,
            },
            status_code=status,
        )

    @post("/admin/users/{user_id:int}", opt={"permission": "users.manage", "form": UserUpdate})
    async def update_user(self, request: Req, user_id: FromPath[int], data: Form) -> Response[Any]:
        values = forms.clean(
            data, keep_empty=frozenset({"partner_organisation_id", "weekly_capacity_hours"})
        )
        values["active"] = values.get("active") == "on"
        if values.get("partner_organisation_id") == "":
            values["partner_organisation_id"] = None
        shown = dict(values)
        try:
            if "weekly_capacity_hours" in values:  # the page sends it; other posts may not
                values["weekly_capacity_minutes"] = capacity_minutes(
                    str(values.pop("weekly_capacity_hours") or "")
                )
        except RuleViolation as error:
            return await self._user_page(request, user_id, forms.errors_of(error), 422, shown)
        update, errors = forms.convert(values, UserUpdate)
        if update is None:
            return await self._user_page(request, user_id, errors, 422, shown)
        try:
            await actions.update_user(actor=actor(request), user_id=user_id, data=update)
        except FacilitiesError as error:
            return await self._user_page(
                request, user_id, forms.errors_of(error), error.status_code, shown
            )
        return redirect(f"/admin/users/{user_id}", _("User saved."))
