"""Ids on the command line: the global id the GraphQL API shows, or the database number.

    talentgraph sync SW50ZWdyYXRpb246Mw==      # the same integration as
    talentgraph sync 3

A global id of another type (a ``Job`` id given to ``sync``) and anything that is neither
are usage errors: click prints the message and the command exits with status 2.
Part of the CLI, which assembles everything: it reads ids with the API's own parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import typer

from gateway.errors import ValidationFailed
from gateway.global_ids import to_global_id
from resolvers.relay import MAX_PK, from_global_id

_DIGITS = re.compile(r"[0-9]{1,19}")


def node_pk(value: str, expected: str) -> int:
    """The database id ``value`` names, if it names an ``expected`` node.

    >>> node_pk("SW50ZWdyYXRpb246Mw==", "Integration"), node_pk("3", "Integration")
    (3, 3)

    Anything else is a ``typer.BadParameter`` saying what was expected.
    """
    text = value.strip()
    if _DIGITS.fullmatch(text) and 0 < int(text) <= MAX_PK:
        return int(text)
    try:
        type_name, pk = from_global_id(text)
    except ValidationFailed:
        raise typer.BadParameter(
            f"{value[:64]!r} is not {_article(expected)} id: pass the global id the "
            f"API shows (e.g. {to_global_id(expected, 3)}) or the database id (a whole "
            "number from 1)"
        ) from None
    if type_name != expected:
        raise typer.BadParameter(
            f"{text} is the id of {_article(type_name)}, not of {_article(expected)}"
        )
    return pk


def pk_parser(expected: str) -> Callable[[str], int]:
    """For ``typer.Argument(parser=...)`` / ``typer.Option(parser=...)``."""

    def parse(value: str) -> int:
        return node_pk(value, expected)

    parse.__name__ = f"{expected}_id"
    return parse


def _article(type_name: str) -> str:
    return f"{'an' if type_name[:1].upper() in 'AEIOU' else 'a'} {type_name}"
