"""Jinja configuration for server-rendered pages and e-mails (autoescaped, translated)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig

from facilities.kit import i18n, rrule_text, timefmt
from facilities.kit.formlimits import LimitedTemplate
from facilities.kit.http import FLASH_COOKIE, flash, read_flash
from facilities.kit.web import Req
from facilities.settings import get_settings


@pass_context
def can(context: Context, permission: str) -> bool:
    """``{% if can("workorders.manage") %}``: whether the page's principal holds a permission
    (``accounts.permissions``, the same data the route guard checks). Pages show an action
    only when the route behind it declares a permission the reader holds; nobody signed in
    (public pages) holds none."""
    principal = context.get("principal")
    return principal is not None and bool(principal.can(permission))


STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


@cache
def static_version() -> str:
    """The ``?v=`` of every stylesheet and script URL: a digest of the static files, so a
    release that changes one gives it a new URL and no browser keeps the old copy."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _install(env: Environment) -> None:
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        current_locale=i18n.current_locale,
        language_name=i18n.language_name,
        static_version=static_version(),
        can=can,
    )
    env.filters.update(timefmt_filters())
    env.filters["options"] = options


def options(rows: Any, key: str = "id", label: str = "name") -> list[tuple[Any, Any]]:
    """``(value, text)`` pairs of rows (dicts or objects) for a select (``filter_select``)."""

    def get(row: Any, name: str) -> Any:
        return row[name] if isinstance(row, dict) else getattr(row, name)

    return [(get(row, key), get(row, label)) for row in rows]


def per_render(function: Callable[..., str]) -> Callable[..., str]:
    """A filter whose result depends on the reader's locale (or the clock). Jinja folds a
    filter applied to a constant (``2000|number``) once, at compile time, in whatever
    language compiled the template first; a context-taking filter is never folded."""

    @pass_context
    def call(_context: Context, *args: Any, **kwargs: Any) -> str:
        return function(*args, **kwargs)

    return call


def timefmt_filters() -> dict[str, Any]:
    """The locale-dependent filters every page, e-mail and PDF uses (``kit/timefmt.py``)."""
    filters: dict[str, Callable[..., str]] = {
        "datetime": timefmt.format_datetime,
        "date": timefmt.format_date,
        "day_month": timefmt.format_day_month,
        "time": timefmt.format_time,
        "ago": timefmt.format_relative,
        "local_input": timefmt.local_input,
        "isodate": timefmt.format_iso_date,
        "number": i18n.format_number,
        "money": i18n.format_money,
        "rrule_words": rrule_text.describe,
    }
    return {name: per_render(function) for name, function in filters.items()}


TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


@cache
def mail_environment() -> Environment:
    """The environment for e-mail bodies (same templates folder, ``email/``)."""
    return make_environment([TEMPLATE_DIR])


def make_environment(directories: list[Path]) -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(d) for d in directories]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        # Checking every template file's mtime on each render costs time on every page;
        # only a developer editing templates needs it.
        auto_reload=get_settings().env == "development",
    )
    _install(env)
    return env


def template_config(directories: list[Path]) -> TemplateConfig[JinjaTemplateEngine]:
    env = make_environment(directories)
    env.template_class = LimitedTemplate  # pages' forms carry the server's limits
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(env))


def page(
    request: Req,
    template_name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Template:
    """Render a page with the shell's context: principal, flash message."""
    message = read_flash(request, get_settings().resolved_secret_key())
    response = Template(
        template_name=template_name,
        context={"principal": request.scope.get("user"), "flash": message, **(context or {})},
        status_code=status_code,
    )
    if message is not None:
        response.delete_cookie(FLASH_COOKIE)
    return response


def redirect(path: str, message: str | None = None, kind: str = "success") -> Redirect:
    """Post/redirect/get with an optional one-time message."""
    response = Redirect(path=path, status_code=303)
    if message:
        flash(response, get_settings().resolved_secret_key(), message, kind)
    return response
