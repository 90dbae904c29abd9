"""``/readme``: the project's README as a page, so the landing page can link to its
sections (``/readme#set-up``) on a gateway that has no internet.

The text is the ``README.md`` beside the packages in a source checkout, else the
installed distribution's long description (``pyproject.toml``'s ``readme``, which a
wheel carries in its metadata). It is rendered with markdown-it-py (CommonMark and
tables; raw HTML in the Markdown is shown as text, never passed through), and each
heading gets the id GitHub would give it, so the README's anchors work here as there.

Links and images pointing at files of the repository (``docs/screenshots/...``,
``schema.graphql``) are not served by the gateway: they are shown as the path, in
``code``, after their text. Links to other sites stay links (``rel="noopener
noreferrer"``); the page itself loads nothing from anywhere but this origin.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from gateway.web.render import html_page

DISTRIBUTION = "talentgraph"
CHECKOUT_README = Path(__file__).resolve().parents[2] / "README.md"
_HTML_COMMENT = re.compile(r"<!--.*?-->\n?", re.S)
_NOT_IN_SLUG = re.compile(r"[^\w\- ]", re.UNICODE)
_ELSEWHERE = re.compile(r"^(?:https?:|mailto:)", re.IGNORECASE)


def readme_text() -> str | None:
    """The README's Markdown: the checkout's file, else the installed metadata's."""
    if CHECKOUT_README.is_file():
        return CHECKOUT_README.read_text(encoding="utf-8")
    try:
        description = metadata(DISTRIBUTION).json.get("description")
    except PackageNotFoundError:
        return None
    return description if isinstance(description, str) and description.strip() else None


def slug(title: str, seen: dict[str, int]) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to
    hyphens, ``-1``, ``-2`` ... after a repeat.

    >>> seen = {}
    >>> slug("Sign-in through your identity provider (OpenID Connect)", seen)
    'sign-in-through-your-identity-provider-openid-connect'
    >>> slug("Set up", seen), slug("Set up", seen)
    ('set-up', 'set-up-1')
    """
    base = _NOT_IN_SLUG.sub("", title.strip().lower()).replace(" ", "-")
    repeats = seen.get(base, 0)
    seen[base] = repeats + 1
    return base if repeats == 0 else f"{base}-{repeats}"


@dataclass(frozen=True, slots=True)
class Section:
    level: int
    title: str
    anchor: str


@dataclass(frozen=True, slots=True)
class RenderedReadme:
    html: str
    sections: tuple[Section, ...]

    @property
    def anchors(self) -> frozenset[str]:
        return frozenset(section.anchor for section in self.sections)


def _plain(inline: Token) -> str:
    return "".join(
        child.content for child in inline.children or () if child.type in ("text", "code_inline")
    )


def _raw(content: str) -> Token:
    token = Token("html_inline", "", 0)
    token.content = content
    return token


def _repository_path(path: str) -> str:
    return f"<code>{html.escape(path)}</code>"


def _rewrite_links(children: list[Token]) -> list[Token]:
    """Links to other sites get ``rel``; links and images naming repository files
    become their text followed by the path."""
    rewritten: list[Token] = []
    closing: list[str | None] = []
    for token in children:
        if token.type == "link_open":
            href = str(token.attrGet("href") or "")
            if _ELSEWHERE.match(href):
                token.attrSet("rel", "noopener noreferrer")
            elif not href.startswith("#"):
                closing.append(href)
                continue
            closing.append(None)
        elif token.type == "link_close":
            path = closing.pop() if closing else None
            if path is not None:
                rewritten.append(_raw(f" ({_repository_path(path)})"))
                continue
        elif token.type == "image" and not _ELSEWHERE.match(str(token.attrGet("src") or "")):
            alt = html.escape(token.content)
            source = _repository_path(str(token.attrGet("src") or ""))
            rewritten.append(_raw(f'<span class="readme-image">{alt} ({source})</span>'))
            continue
        rewritten.append(token)
    return rewritten


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def render_readme(markdown: str) -> RenderedReadme:
    parser = _parser()
    tokens = parser.parse(_HTML_COMMENT.sub("", markdown))
    seen: dict[str, int] = {}
    sections: list[Section] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            title = _plain(tokens[index + 1])
            anchor = slug(title, seen)
            token.attrSet("id", anchor)
            sections.append(Section(int(token.tag[1]), title, anchor))
        elif token.type == "inline" and token.children:
            token.children = _rewrite_links(token.children)
    body = parser.renderer.render(tokens, parser.options, {})
    return RenderedReadme(body, tuple(sections))


def contents(sections: Sequence[Section]) -> str:
    """The README's top-level sections as a list of links."""
    items = "".join(
        f'<li><a href="#{html.escape(s.anchor)}">{html.escape(s.title)}</a></li>'
        for s in sections
        if s.level == 2
    )
    return f"<ol>{items}</ol>"


@lru_cache(maxsize=1)
def installed_readme() -> RenderedReadme | None:
    """Read and rendered once per process: the README does not change under a running
    gateway, so no request reads the file or renders Markdown."""
    text = readme_text()
    return None if text is None else render_readme(text)


async def page(request: Request) -> Response:
    rendered = installed_readme()
    if rendered is None:
        return PlainTextResponse("This installation carries no README.", status_code=404)
    trusted = {"contents": contents(rendered.sections), "body": rendered.html}
    return html_page("readme", trusted_html=trusted)
