"""``talentgraph new-connector``: a new provider written from the templates in
``connectors/kit/scaffold``, ready for the contract suite and to be edited to the vendor.

    made = scaffold(Path("."), "acme", title="Acme ATS")
    made.written      # connectors/acme/{__init__,connector,records,webhooks}.py,
                      # demo/sandbox/acme/{__init__,fake,routes}.py (the fake,
                      #   declaring its demo sandbox: the demo shows it at once),
                      # tests/connectors/harness/acme.py, tests/connectors/acme/...
    made.registry     # '    "acme": "connectors.acme",' added to connectors/registry.py

Nothing is written unless everything can be: the slug is a lower-case identifier of at
most 32 characters, no file or package of that name exists where one would be written,
and the root is a talentgraph checkout. ``export_schema`` then regenerates
``schema.graphql`` in a separate interpreter, since the ``Provider`` enum (and so the
GraphQL schema) is built from the registry when ``gateway.store.enums`` is imported.

The templates are ``string.Template`` text (``${slug}``, ``${cls}``, ``${title}``,
``${header}``). The first-party imports of a rendered module are put in the order ruff's
isort gives them, which depends on the slug (``connectors.acme`` sorts before
``connectors.assembly``, ``connectors.zeta`` after ``connectors.models``).
"""

from __future__ import annotations

import keyword
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from string import Template

MAX_SLUG = 32
"""``ProviderSpec.slug``: stored with each integration and part of URLs."""
MAX_TITLE = 40
RESERVED = frozenset({"standard"})
"""``/webhooks/standard/{id}`` is the Standard Webhooks route."""
SLUG_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
TITLE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .&'()+,/-]*")
"""Titles go into strings and docstrings as they are: no quotes, braces or backslashes."""

REGISTRY = Path("connectors/registry.py")
REGISTRY_OPENING = "PACKAGES: dict[str, str] = {"
CHECKOUT_PARTS = ("gateway/cli.py", "demo/sandbox", "tests/connectors/harness")
"""Besides the registry: where the schema is exported from and the fake and harness go."""
FIRST_PARTY = frozenset({"connectors", "demo", "gateway", "jobs", "resolvers", "tests"})

TEMPLATES: tuple[tuple[str, str | None], ...] = (
    ("connectors/{slug}/__init__.py", "provider_init.py.tmpl"),
    ("connectors/{slug}/connector.py", "connector.py.tmpl"),
    ("connectors/{slug}/records.py", "records.py.tmpl"),
    ("connectors/{slug}/webhooks.py", "webhooks.py.tmpl"),
    ("demo/sandbox/{slug}/__init__.py", "fake_init.py.tmpl"),
    ("demo/sandbox/{slug}/fake.py", "fake.py.tmpl"),
    ("demo/sandbox/{slug}/routes.py", "fake_routes.py.tmpl"),
    ("tests/connectors/harness/{slug}.py", "harness.py.tmpl"),
    ("tests/connectors/{slug}/__init__.py", None),
    ("tests/connectors/{slug}/test_{slug}.py", "test_provider.py.tmpl"),
)
"""Where each file goes (relative to the root) and its template (``None``: empty)."""

TAKEN_NAMES = ("connectors/{slug}", "demo/sandbox/{slug}", "tests/connectors/{slug}")
"""Folders where a package of the slug's name is made: a module of that name there
(``connectors/http.py``) would be shadowed by it, so it counts as taken too."""


class ScaffoldRefused(Exception):
    """Why nothing was written."""


@dataclass(frozen=True)
class Names:
    slug: str
    title: str

    @property
    def words(self) -> list[str]:
        return [part.capitalize() for part in self.slug.split("_") if part]

    def substitutions(self) -> dict[str, str]:
        return {
            "slug": self.slug,
            "title": self.title,
            "cls": "".join(self.words),
            "header": "-".join(self.words),
        }


@dataclass
class Scaffolded:
    root: Path
    names: Names
    written: list[Path] = field(default_factory=list)
    registry: str = ""


def check_slug(slug: str) -> str:
    if len(slug) > MAX_SLUG or not SLUG_PATTERN.fullmatch(slug):
        raise ScaffoldRefused(
            f"{slug!r} is not a provider slug: a lower-case identifier (a-z, 0-9, _, "
            f"starting with a letter) of at most {MAX_SLUG} characters"
        )
    if keyword.iskeyword(slug) or slug in RESERVED:
        raise ScaffoldRefused(f"{slug!r} is reserved; pick another slug")
    return slug


def default_title(slug: str) -> str:
    return " ".join(part.capitalize() for part in slug.split("_") if part)


def check_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if len(cleaned) > MAX_TITLE or not TITLE_PATTERN.fullmatch(cleaned):
        raise ScaffoldRefused(
            f"{title!r} is not a usable title: at most {MAX_TITLE} letters, digits, spaces "
            "and . & ' ( ) + , / -"
        )
    return cleaned


def check_root(root: Path) -> str:
    """The checkout's registry text; refused unless ``root`` is a talentgraph checkout."""
    pyproject = root / "pyproject.toml"
    registry = root / REGISTRY
    try:
        project = pyproject.read_text()
        text = registry.read_text()
    except OSError:
        raise ScaffoldRefused(
            f"{root} is not a talentgraph checkout (no pyproject.toml and {REGISTRY})"
        ) from None
    marked = re.search(r'^name = "talentgraph"$', project, re.MULTILINE)
    parts = all((root / part).exists() for part in CHECKOUT_PARTS)
    if not marked or not parts or REGISTRY_OPENING not in text:
        raise ScaffoldRefused(f"{root} is not a talentgraph checkout")
    return text


def _taken(root: Path, slug: str) -> list[str]:
    found = [
        path.format(slug=slug) for path, _ in TEMPLATES if (root / path.format(slug=slug)).exists()
    ]
    for folder in TAKEN_NAMES:
        for candidate in (folder.format(slug=slug), folder.format(slug=slug) + ".py"):
            if (root / candidate).exists() and candidate not in found:
                found.append(candidate)
    return found


def render(template: str, names: Names) -> str:
    text = files("connectors.kit").joinpath("scaffold", template).read_text()
    return sort_first_party_imports(Template(text).substitute(names.substitutions()))


def planned(names: Names) -> list[tuple[str, str]]:
    """(path relative to the root, content) of every file a provider is made of."""
    return [
        (path.format(slug=names.slug), render(template, names) if template else "")
        for path, template in TEMPLATES
    ]


def registry_line(slug: str) -> str:
    return f'    "{slug}": "connectors.{slug}",'


def registered(registry: str, slug: str) -> str:
    """The registry text with ``slug``'s line added at the end of ``PACKAGES``."""
    lines = registry.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(REGISTRY_OPENING))
    for index in range(start + 1, len(lines)):
        if lines[index].rstrip("\n") == "}":
            lines.insert(index, registry_line(slug) + "\n")
            return "".join(lines)
    raise ScaffoldRefused(f"{REGISTRY}: PACKAGES has no closing brace on a line of its own")


def scaffold(root: Path, slug: str, *, title: str | None = None) -> Scaffolded:
    """Write a new provider under ``root`` (see the module docstring); ``ScaffoldRefused``,
    with nothing written, when it cannot."""
    names = Names(check_slug(slug), check_title(title or default_title(slug)))
    registry = check_root(root)
    if re.search(rf'^\s*"{re.escape(slug)}"\s*:', registry, re.MULTILINE):
        raise ScaffoldRefused(f"{slug!r} is already in {REGISTRY}")
    taken = _taken(root, slug)
    if taken:
        raise ScaffoldRefused(f"{slug!r} already exists: {', '.join(taken)}")
    files_made = planned(names)
    updated = registered(registry, slug)
    made = Scaffolded(root, names)
    for relative, content in files_made:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        made.written.append(Path(relative))
    (root / REGISTRY).write_text(updated)
    made.registry = registry_line(slug).strip()
    return made


def export_schema(root: Path) -> None:
    """Regenerate ``root/schema.graphql`` with ``talentgraph export-schema`` run by this
    interpreter on ``root``'s code: the schema's ``Provider`` enum is built from the
    registry at import time, so this process (which imported the old one) cannot."""
    command = [
        sys.executable,
        "-c",
        "from gateway.cli import app; app()",
        "export-schema",
        "-o",
        str(root / "schema.graphql"),
    ]
    env = {**os.environ, "PYTHONPATH": str(root.resolve())}
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")


# imports in ruff's order


def _statements(lines: list[str]) -> Iterator[tuple[int, int]]:
    """(first, end) line ranges of the top-level ``from x import ...`` statements."""
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("from ") and " import " in line:
            end = index + 1
            if line.rstrip().endswith("("):
                while not lines[end - 1].startswith(")"):
                    end += 1
            yield index, end
            index = end
        else:
            index += 1


def _module(statement: str) -> str:
    return statement.split()[1]


def sort_first_party_imports(text: str) -> str:
    """Each run of adjacent first-party ``from`` imports (no blank line between them)
    sorted by module name, case-insensitively, as ruff's isort sorts them."""
    lines = text.splitlines(keepends=True)
    runs: list[list[tuple[int, int]]] = []
    for first, end in _statements(lines):
        if _module(lines[first]).split(".")[0] not in FIRST_PARTY:
            continue
        if runs and runs[-1][-1][1] == first:
            runs[-1].append((first, end))
        else:
            runs.append([(first, end)])
    for run in reversed(runs):
        blocks = ["".join(lines[first:end]) for first, end in run]
        ordered = sorted(blocks, key=lambda block: _module(block).lower())
        lines[run[0][0] : run[-1][1]] = ordered
    return "".join(lines)
