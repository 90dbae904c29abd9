"""The demo: a seeded agency tenant, synced from sandbox ATS servers that run in-process.

Assembly, not the service: ``seed`` writes the demo tenant, ``sandbox`` holds the fake
Recruiterflow, Jobvite, BPOC, Workday and OpenAI-compatible servers, and ``sync`` wires
the gateway to them for ``talentgraph demo`` and ``talentgraph serve --demo``. Nothing
imports this package but the CLI and the tests.
"""
