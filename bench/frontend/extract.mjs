// Writes the fixture's documents: each operation relay-compiler generated (its `params.text`,
// from src/__generated__) and each Apollo-style document of apollo/ after Apollo Client's
// addTypenameToDocument, as documents/<name>.graphql, with documents/<name>.json beside it
// saying what its variables must be (from variables.json). The same for the same screens in
// PostGraphile's terms (postgraphile/: its own sources, compiled against its schema), into
// postgraphile/documents/, one for each document of documents/. Run after relay-compiler:
//
//   npm install && npx relay-compiler && (cd postgraphile && npx relay-compiler) && node extract.mjs
import { createRequire } from "node:module";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { addTypenameToDocument } from "@apollo/client/utilities";
import { parse, print } from "graphql";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const specs = JSON.parse(readFileSync(join(here, "variables.json"), "utf8"));
const version = (name) =>
  JSON.parse(readFileSync(join(here, "node_modules", name, "package.json"), "utf8")).version;

function declared(text) {
  const operation = parse(text).definitions.find((d) => d.kind === "OperationDefinition");
  return {
    name: operation.name.value,
    variables: operation.variableDefinitions.map((v) => v.variable.name.value),
  };
}

/** The documents of one schema's sources: relay-compiler's operations, then Apollo's. */
function collect(folder) {
  const documents = [];
  const generated = join(folder, "src", "__generated__");
  if (!existsSync(generated)) {
    throw new Error(`${relative(here, generated)} is missing: run relay-compiler first`);
  }
  for (const file of readdirSync(generated).sort()) {
    const artifact = require(join(generated, file));
    if (artifact.kind !== "Request") continue; // fragments' reader artifacts
    documents.push({ text: artifact.params.text, tool: `relay-compiler ${version("relay-compiler")}` });
  }
  for (const file of readdirSync(join(folder, "apollo")).sort()) {
    if (!file.endsWith(".graphql")) continue;
    const source = readFileSync(join(folder, "apollo", file), "utf8");
    const text = print(addTypenameToDocument(parse(source)));
    documents.push({ text, tool: `@apollo/client ${version("@apollo/client")} addTypenameToDocument` });
  }
  return documents.map((d) => ({ ...d, ...declared(d.text) }));
}

function write(folder, documents, meta) {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  for (const document of documents) {
    const { name, text } = document;
    writeFileSync(join(folder, `${name}.graphql`), text.endsWith("\n") ? text : `${text}\n`);
    if (meta) {
      writeFileSync(join(folder, `${name}.json`), `${JSON.stringify(meta(document), null, 2)}\n`);
    }
  }
}

const problems = [];
const ours = collect(here);
for (const { name, variables } of ours) {
  const spec = specs[name];
  if (!spec) {
    problems.push(`${name}: not described in variables.json`);
    continue;
  }
  const described = Object.keys(spec.variables).sort();
  if (JSON.stringify(described) !== JSON.stringify([...variables].sort())) {
    problems.push(`${name}: declares ${variables.sort()} but variables.json describes ${described}`);
  }
}
const named = new Set(ours.map((d) => d.name));
for (const name of Object.keys(specs)) {
  if (name !== "_" && !named.has(name)) problems.push(`${name}: in variables.json, but no document`);
}
const theirs = collect(join(here, "postgraphile"));
const peer = new Set(theirs.map((d) => d.name));
for (const name of named) {
  if (!peer.has(name)) problems.push(`${name}: no document of that name in postgraphile/`);
}
for (const name of peer) {
  if (!named.has(name)) problems.push(`postgraphile/ ${name}: no such document for pmo-graph`);
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
write(join(here, "documents"), ours, ({ name, tool }) => ({
  operation: name,
  screen: specs[name].screen,
  tool,
  variables: specs[name].variables,
}));
write(join(here, "postgraphile", "documents"), theirs, null);
console.log(`${ours.length} documents in documents/, ${theirs.length} in postgraphile/documents/`);
