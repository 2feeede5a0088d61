// Runs graphql-http's server audits against a pmo-graph and prints their results as JSON.
//
//   PMO_GRAPH_URL=http://127.0.0.1:8000/graphql PMO_GRAPH_TOKEN=pmo_… node audit.mjs
//
// Every request carries the token (the audits send none of their own), through a fetch that
// adds the Authorization header. The output is one JSON object: the graphql-http version and,
// per audit, its id, name ("MUST …", "SHOULD …", "MAY …"), status ("ok", "notice", "warn",
// "error") and, when it did not pass, the reason and the response's status and body.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { auditServer } from 'graphql-http';

const url = process.env.PMO_GRAPH_URL;
const token = process.env.PMO_GRAPH_TOKEN;
if (!url || !token) {
  console.error('Set PMO_GRAPH_URL (the /graphql endpoint) and PMO_GRAPH_TOKEN (a bearer token).');
  process.exit(2);
}

function withToken(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const require = createRequire(import.meta.url);
const manifest = require.resolve('graphql-http/package.json');
const version = JSON.parse(readFileSync(manifest, 'utf8')).version;

const results = await auditServer({ url, fetchFn: withToken });
const audits = [];
for (const result of results) {
  const entry = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    entry.reason = result.reason;
    entry.responseStatus = result.response.status;
    entry.responseBody = await result.response.text().catch(() => '');
  }
  audits.push(entry);
}
console.log(JSON.stringify({ graphqlHttp: version, audits }));
