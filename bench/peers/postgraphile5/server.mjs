// The PostGraphile 5 peer of pmo-graph's benchmark: PostGraphile 5 as a library (Grafserv on
// Node's own HTTP server), one process, on 127.0.0.1:PORT, over DATABASE_URL's public schema.
// It runs on the Node.js 22 that npm installs beside it (PostGraphile 5 needs Node 22).
//
//   NODE_ENV=production PG_JIT=off DATABASE_URL=postgresql://... PORT=5000 POOL_SIZE=10 \
//     node_modules/.bin/node server.mjs
//
// The schema is PostGraphile 4's (its V4 preset with the same options as ../postgraphile, and
// the simplified inflection), so the benchmark asks both versions the same documents. The
// options are those of a production deployment: no GraphiQL, no schema watching, no explain.
// bench/peers/postgraphile_peer.py creates the computed columns first.
import { createServer } from "node:http";

import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";
import pg from "pg";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makeV4Preset } from "postgraphile/presets/v4";

const databaseUrl = process.env.DATABASE_URL;
const port = Number(process.env.PORT || 5000);
const poolSize = Number(process.env.POOL_SIZE || 10);
// PostgreSQL's jit on every connection, as the benchmark sets it for every peer.
const jit = process.env.PG_JIT || "off";
if (!databaseUrl) {
  console.error("DATABASE_URL is not set");
  process.exit(2);
}

const pool = new pg.Pool({
  connectionString: databaseUrl,
  max: poolSize,
  options: `-c jit=${jit}`,
});
pool.on("error", (error) => console.error("idle client error:", error.message));

const preset = {
  extends: [
    PostGraphileAmberPreset,
    makeV4Preset({
      // Lists without connections (`projectsList`) beside the Relay connections.
      simpleCollections: "both",
      setofFunctionsContainNulls: false,
      dynamicJson: true,
      ignoreRBAC: false,
      graphiql: false,
      watchPg: false,
      subscriptions: false,
      showErrorStack: false,
      extendedErrors: [],
    }),
    PgSimplifyInflectionPreset,
  ],
  pgServices: [makePgService({ pool, schemas: ["public"] })],
  grafserv: { port, graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.keepAliveTimeout = 65000;
serv.addTo(server).catch((error) => {
  console.error(error);
  process.exit(1);
});
server.listen(port, "127.0.0.1", () => {
  console.log(`PostGraphile 5 on http://127.0.0.1:${port}/graphql`);
});

function stop() {
  server.close(() =>
    Promise.resolve(pgl.release())
      .then(() => pool.end())
      .then(() => process.exit(0)),
  );
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
