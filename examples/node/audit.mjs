// The GraphQL over HTTP specification's conformance audit (graphql-http's auditServer),
// against a running gateway:
//
//   TALENTGRAPH_URL=http://127.0.0.1:8000/graphql node audit.mjs
//
// Prints {"ok": n, "notice": n, "warn": n, "error": n, "failures": [...]}.
import { auditServer } from "graphql-http";

const results = await auditServer({ url: process.env.TALENTGRAPH_URL });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const failures = [];
for (const result of results) {
  counts[result.status] += 1;
  if (result.status !== "ok") {
    failures.push({ status: result.status, name: result.name, reason: result.reason });
  }
}
console.log(JSON.stringify({ ...counts, failures }));
