"""Sandbox ATS servers: stateful fakes of Recruiterflow, Jobvite, BPOC and Workday with
the real APIs' auth, paging, shapes and failure modes. The demo syncs from them, the
tests and benchmarks run connectors against them (over an ASGI transport or a port)."""
