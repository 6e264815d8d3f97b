"""HTML → PDF with WeasyPrint, in a worker thread, never fetching anything.

The URL fetcher refuses every URL except ``data:`` URIs, so a template (or an injected
string that escaped escaping) cannot make WeasyPrint read local files or call the network.
Embed images as data URIs (``data_uri``).

WeasyPrint (with Pango, HarfBuzz and fontTools: ~40 MB of every process) is imported on
the first render, not when the app starts: most processes never make a PDF.
"""

from __future__ import annotations

import base64
from functools import cache
from typing import Any

import anyio.to_thread


@cache
def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher

    class DataOnlyFetcher(URLFetcher):
        """Resolves ``data:`` URIs; refuses file:, http(s): and everything else."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data"}, allow_redirects=False, timeout=1)

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.lower().startswith("data:"):
                raise ValueError(f"refusing to fetch {url[:60]!r}")
            return super().fetch(url, headers)

    return DataOnlyFetcher


def data_uri(content: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(content).decode()}"


def render_sync(html: str) -> bytes:
    from weasyprint import HTML

    document = HTML(string=html, base_url="data:,", url_fetcher=_fetcher_class()())
    pdf = document.write_pdf()
    assert pdf is not None
    return bytes(pdf)


async def render(html: str) -> bytes:
    """Render off the event loop (a dense page takes ~0.45 s)."""
    return await anyio.to_thread.run_sync(render_sync, html)
