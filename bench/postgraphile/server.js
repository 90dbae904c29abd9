// PostGraphile 4 over a talentgraph database, read-only, on a loopback port.
//
//   node server.js postgres://postgres@127.0.0.1:5432/<database> <port>
//
// Schema `public`, no GraphiQL, no watch mode, no CRUD mutations, and every
// transaction read-only (`default_transaction_read_only`), so nothing can write.
// Names are simplified (`jobs`, `applications`, `candidate`, `currentStage`) and
// collections come both as connections and as plain lists (`interviewsList`).
// Settings follow PostGraphile's production recommendations; started by
// bench/versus_postgraphile.py, which prints "listening" lines it waits for.
"use strict";

const http = require("http");
const { Pool } = require("pg");
const { postgraphile } = require("postgraphile");
const PgSimplifyInflectorPlugin = require("@graphile-contrib/pg-simplify-inflector");

const [databaseUrl, port] = process.argv.slice(2);
if (!databaseUrl || !port) {
  console.error("usage: node server.js <postgres url> <port>");
  process.exit(2);
}

const pool = new Pool({
  connectionString: databaseUrl,
  max: 10,
  options: "-c default_transaction_read_only=on",
});

const middleware = postgraphile(pool, "public", {
  appendPlugins: [PgSimplifyInflectorPlugin],
  simpleCollections: "both",
  disableDefaultMutations: true,
  graphiql: false,
  watchPg: false,
  enableQueryBatching: false,
  legacyRelations: "omit",
  dynamicJson: true,
  setofFunctionsContainNulls: false,
  ignoreRBAC: false,
  extendedErrors: ["errcode"],
  disableQueryLog: true,
  retryOnInitFail: false,
});

const server = http.createServer(middleware);
server.listen(Number(port), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${port}/graphql`);
});

function stop() {
  server.close(() => pool.end().then(() => process.exit(0)));
  setTimeout(() => process.exit(0), 3000).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
