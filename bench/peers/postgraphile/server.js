// The PostGraphile peer of pmo-graph's benchmark: PostGraphile 4 as a library behind Node's own
// HTTP server, one process, on 127.0.0.1:PORT, over DATABASE_URL's public schema.
//
//   NODE_ENV=production PG_JIT=off DATABASE_URL=postgresql://... PORT=5000 POOL_SIZE=10 node server.js
//
// The options are those of a production deployment: no GraphiQL, no schema watching, no query
// log, no batching. bench/peers/postgraphile_peer.py creates the computed columns first.
"use strict";

const http = require("http");
const { Pool } = require("pg");
const { postgraphile } = require("postgraphile");
const PgSimplifyInflectorPlugin = require("@graphile-contrib/pg-simplify-inflector");

const databaseUrl = process.env.DATABASE_URL;
const port = Number(process.env.PORT || 5000);
const poolSize = Number(process.env.POOL_SIZE || 10);
// PostgreSQL's jit on every connection, as the benchmark sets it for every peer.
const jit = process.env.PG_JIT || "off";
if (!databaseUrl) {
  console.error("DATABASE_URL is not set");
  process.exit(2);
}

const pool = new Pool({
  connectionString: databaseUrl,
  max: poolSize,
  options: `-c jit=${jit}`,
});
pool.on("error", (error) => console.error("idle client error:", error.message));

const handler = postgraphile(pool, "public", {
  appendPlugins: [PgSimplifyInflectorPlugin],
  // Lists without connections (`projectsList`) beside the Relay connections.
  simpleCollections: "both",
  setofFunctionsContainNulls: false,
  dynamicJson: true,
  ignoreRBAC: false,
  legacyRelations: "omit",
  enableQueryBatching: false,
  disableQueryLog: true,
  graphiql: false,
  enhanceGraphiql: false,
  watchPg: false,
  retryOnInitFail: false,
  subscriptions: false,
  showErrorStack: false,
  extendedErrors: [],
  // EXPORT_SCHEMA=path writes the schema's SDL there (bench/frontend/postgraphile/schema.graphql,
  // which its client documents are compiled against).
  ...(process.env.EXPORT_SCHEMA
    ? { exportGqlSchemaPath: process.env.EXPORT_SCHEMA, sortExport: true }
    : {}),
});

const server = http.createServer(handler);
server.keepAliveTimeout = 65000;
server.listen(port, "127.0.0.1", () => {
  console.log(`PostGraphile on http://127.0.0.1:${port}/graphql`);
});

function stop() {
  server.close(() => pool.end().then(() => process.exit(0)));
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
