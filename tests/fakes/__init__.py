"""Stateful fake ATS servers: real Starlette apps with the real APIs' shapes and
failure modes, served over an httpx ASGI transport in tests or on a port for benches."""
