"""Lists people can work with: search, filters, sort and pages, read one way by every list.

A list declares its filters once, as a dataclass whose fields are query parameters (with
their types and bounds: an enum, ``QueryId``, ``Search``, a ``Literal`` of sorts). Its API
handler and its page handler both take that dataclass as a Litestar dependency
(``dependencies={"filters": provide(XFilters)}``), so they parse the query string the same
way, OpenAPI documents every parameter, and a bad value is a 422 naming it. The domain's
query function takes the dataclass. Pages render the filters as selects (never free-text
codes) with the macros in ``macros.html`` and page with ``ListView``.

An empty value (``?status=``, what a form's "any" option sends) means "no filter":
``DropEmptyQuery`` removes empty pairs from the query string before anything reads it.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from litestar.di import Provide
from litestar.params import QueryParameter
from litestar.types import ASGIApp, Receive, Scope, Send

from facilities.kit.schema import INT_MAX

PAGE_SIZE = 50
SEARCH_MAX = 100

Search = Annotated[
    str | None,
    QueryParameter(max_length=SEARCH_MAX, description="Words to look for (case-insensitive)"),
]
QueryId = Annotated[int | None, QueryParameter(ge=1, le=INT_MAX, description="An id")]


def provide(filters: type[Any]) -> Provide:
    """The dependency that reads ``filters`` (a dataclass) from the query string."""
    return Provide(filters, sync_to_thread=False)


def _text(value: Any) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "true"
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def form_values(filters: Any) -> dict[str, str]:
    """Each filter as the form shows it ("" = any)."""
    return {f.name: _text(getattr(filters, f.name)) for f in dataclasses.fields(filters)}


def search_text(q: str | None) -> str | None:
    """The words to look for, or None for an empty search."""
    text = (q or "").strip()
    return text or None


def like_pattern(text: str) -> str:
    """A case-insensitive ``LIKE … ESCAPE '\\'`` pattern containing ``text`` literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def rank_sql(column: str, values: list[str]) -> str:
    """``CASE column WHEN 'a' THEN 0 … ELSE n END``: sort by a fixed order of codes (the
    values are code constants, never input)."""
    cases = " ".join(f"WHEN '{v}' THEN {i}" for i, v in enumerate(values))
    return f"CASE {column} {cases} ELSE {len(values)} END"


@dataclass(frozen=True, slots=True)
class ListView:
    """What a list page needs to render its filters and pager."""

    values: dict[str, str]
    total: int | None  # None: not counted (a keyset list's page after a cursor)
    offset: int
    limit: int = PAGE_SIZE
    # Keyset lists (the work orders): the next page follows the cursor of this one, and
    # "Previous" only carries an offset while it stays within the offset-reachable rows.
    next_cursor: str | None = None
    max_offset: int | None = None
    exact: bool = True  # False: ``total`` is a lower bound (a capped count)
    shown: int | None = None  # rows on this page (for the position when ``total`` is None)

    @property
    def query(self) -> str:
        """The current filters as a query string (without the offset)."""
        return urlencode({k: v for k, v in self.values.items() if v != ""})

    def href(self, offset: int) -> str:
        query = self.query
        return f"?{query}&offset={offset}" if query else f"?offset={offset}"

    @property
    def previous(self) -> str | None:
        if self.offset <= 0:
            return None
        before = max(self.offset - self.limit, 0)
        if self.max_offset is not None and before > self.max_offset:
            return f"?{self.query}" if self.query else "?"  # back to the start
        return self.href(before)

    @property
    def next(self) -> str | None:
        following = self.offset + self.limit
        if self.next_cursor is not None:  # a keyset list says itself whether more follow
            return f"{self.href(following)}&cursor={self.next_cursor}"
        if self.total is None or following >= self.total:
            return None
        return None if self.max_offset is not None else self.href(following)

    @property
    def paged(self) -> bool:
        """Whether the list needs a pager (more than one page, or not the first)."""
        return self.total is None or not self.exact or self.total > self.limit or self.offset > 0

    @property
    def first_row(self) -> int:
        if self.total is None or not self.exact:
            return self.offset + 1
        return min(self.offset + 1, self.total)

    @property
    def last_row(self) -> int:
        last = self.offset + (self.limit if self.shown is None else self.shown)
        return last if self.total is None or not self.exact else min(last, self.total)


def view(
    filters: Any,
    *,
    total: int | None,
    offset: int,
    limit: int = PAGE_SIZE,
    next_cursor: str | None = None,
    max_offset: int | None = None,
    exact: bool = True,
    shown: int | None = None,
) -> ListView:
    return ListView(
        values=form_values(filters),
        total=total,
        offset=offset,
        limit=limit,
        next_cursor=next_cursor,
        max_offset=max_offset,
        exact=exact,
        shown=shown,
    )


class DropEmptyQuery:
    """ASGI middleware: ``a=&b=2`` → ``b=2`` (an empty filter is no filter)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("query_string", b"")
            if raw and (b"=&" in raw or raw.endswith(b"=")):
                pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
                kept = [(k, v) for k, v in pairs if v != ""]
                scope["query_string"] = urlencode(kept).encode("latin-1")
        await self.app(scope, receive, send)
