// Apollo Client's persisted-queries link against a served pmo-graph: `node persisted.mjs URL TOKEN`.
// Runs one query twice by POST and another twice by GET (useGETForHashedQueries), and prints
// as JSON what each request sent and got back, and the data of each answer.
import { createHash } from "node:crypto";

import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries";

const [url, token] = process.argv.slice(2);
const requests = [];

async function recordingFetch(input, init = {}) {
  const method = init.method ?? "GET";
  const sent = method === "GET" ? Object.fromEntries(new URL(input).searchParams) : JSON.parse(init.body);
  const response = await fetch(input, init);
  const body = await response.clone().json();
  requests.push({
    method,
    query: typeof sent.query === "string",
    hash: JSON.stringify(sent.extensions ?? "").includes("sha256Hash"),
    status: response.status,
    code: body.errors?.[0]?.extensions?.code ?? null,
  });
  return response;
}

function client(useGETForHashedQueries) {
  const sha256 = (text) => createHash("sha256").update(text).digest("hex");
  return new ApolloClient({
    cache: new InMemoryCache(),
    link: createPersistedQueryLink({ sha256, useGETForHashedQueries }).concat(
      new HttpLink({ uri: url, fetch: recordingFetch, headers: { authorization: `Bearer ${token}` } }),
    ),
  });
}

const tag = Date.now().toString(36);
const results = {};
for (const [name, get] of [["post", false], ["get", true]]) {
  const apollo = client(get);
  const query = gql(`query Apollo${name}${tag}($n: Int) { projects(first: $n) { totalCount nodes { code } } }`);
  const answers = [];
  for (let i = 0; i < 2; i++) {
    const { data } = await apollo.query({ query, variables: { n: 2 }, fetchPolicy: "network-only" });
    answers.push(data);
  }
  results[name] = answers;
}
console.log(JSON.stringify({ requests, results }));
