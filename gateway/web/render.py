"""Pages from ``pages/<name>.html`` with ``{{name}}`` placeholders filled in.

    html_page("interview", title="Your interview", config={"token": token}, private=True)

Every value is HTML-escaped, except those of ``trusted_html`` (markup the gateway
made itself, such as the rendered README); ``config`` becomes the JSON of the page's
``<script type="application/json" id="page-config">`` block (escaped so that no value
can end the block), which the page's script reads. No page runs inline script.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from starlette.responses import HTMLResponse

from gateway.web.headers import page_headers

PAGES = Path(__file__).parent / "pages"
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


@lru_cache(maxsize=32)
def _template(name: str) -> str:
    return (PAGES / f"{name}.html").read_text(encoding="utf-8")


def json_for_html(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` block."""
    text = orjson.dumps(value).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(
    name: str,
    *,
    config: Any = None,
    trusted_html: Mapping[str, str] | None = None,
    **values: Any,
) -> str:
    filled = {key: html.escape(str(value), quote=True) for key, value in values.items()}
    filled.update(trusted_html or {})
    filled["config"] = json_for_html(config if config is not None else {})

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in filled:
            raise KeyError(f"page {name!r} needs a value for {{{{{key}}}}}")
        return filled[key]

    return _PLACEHOLDER.sub(fill, _template(name))


def html_page(
    name: str,
    *,
    status: int = 200,
    private: bool = False,
    config: Any = None,
    trusted_html: Mapping[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    return HTMLResponse(
        render(name, config=config, trusted_html=trusted_html, **values),
        status_code=status,
        headers=page_headers(private=private),
    )
