"""Host names the tests answer for, through the resolver every client here uses
(``socket.getaddrinfo``, which asyncio and anyio call in a thread).

    answers = fake_dns(monkeypatch)
    answers["ats.test"] = ["93.184.216.34", "127.0.0.1"]   # first lookup, then every later one

Other names resolve as usual.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest


def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Each lookup of a listed name takes the first answer while more than one is
    left, so a list of two plays a rebinding name server; the last answer stays."""
    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in answers:
            return real(host, port, *args, **kwargs)
        queue = answers[name]
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers
