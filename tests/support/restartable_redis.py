"""A throwaway Redis that a test stops and starts again on the same port, as a crash and
an operator's restart do: clients pointed at it lose their connections, are refused
while it is down, and find it again (empty) once it is back.

    server = RestartableRedis.start()
    server.halt()      # every connection closed, new ones refused
    server.resume()    # the same URL answers again
    server.stop()
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from tests.support.services import ServiceUnavailable, ThrowawayRedis


class RestartableRedis(ThrowawayRedis):
    def halt(self) -> None:
        self._terminate()

    def resume(self) -> None:
        binary = shutil.which("redis-server")
        port = urlsplit(self.url).port
        if binary is None or port is None:
            raise ServiceUnavailable("no redis-server on PATH to start again")
        cmd = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        cmd += ["--appendonly", "no", "--dir", str(self.root), "--logfile", str(self.log)]
        self.process = subprocess.Popen(
            cmd, cwd=self.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if not self._wait_ready(self.url):
            raise ServiceUnavailable(f"redis-server did not start again on port {port}")


@contextmanager
def restartable_redis() -> Iterator[RestartableRedis]:
    server = RestartableRedis.start()
    assert isinstance(server, RestartableRedis)
    try:
        yield server
    finally:
        server.stop()
