// Writes the fixture's documents: each operation relay-compiler generated (its `params.text`,
// from src/__generated__) and each Apollo-style document of apollo/ after Apollo Client's
// addTypenameToDocument, as documents/<name>.graphql, with documents/<name>.json beside it
// saying what its variables must be (from variables.json). Run after `npx relay-compiler`:
//
//   npm install && npx relay-compiler && node extract.mjs
import { createRequire } from "node:module";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { addTypenameToDocument } from "@apollo/client/utilities";
import { parse, print } from "graphql";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const generated = join(here, "src", "__generated__");
const out = join(here, "documents");
const specs = JSON.parse(readFileSync(join(here, "variables.json"), "utf8"));
const version = (name) =>
  JSON.parse(readFileSync(join(here, "node_modules", name, "package.json"), "utf8")).version;

function declared(text) {
  const operation = parse(text).definitions.find((d) => d.kind === "OperationDefinition");
  return { name: operation.name.value, variables: operation.variableDefinitions.map((v) => v.variable.name.value) };
}

const documents = [];
for (const file of readdirSync(generated).sort()) {
  const artifact = require(join(generated, file));
  if (artifact.kind !== "Request") continue; // fragments' reader artifacts
  documents.push({ text: artifact.params.text, tool: `relay-compiler ${version("relay-compiler")}` });
}
for (const file of readdirSync(join(here, "apollo")).sort()) {
  if (!file.endsWith(".graphql")) continue;
  const source = readFileSync(join(here, "apollo", file), "utf8");
  const text = print(addTypenameToDocument(parse(source)));
  documents.push({ text, tool: `@apollo/client ${version("@apollo/client")} addTypenameToDocument` });
}

const problems = [];
const seen = new Set();
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
for (const { text, tool } of documents) {
  const { name, variables } = declared(text);
  seen.add(name);
  const spec = specs[name];
  if (!spec) {
    problems.push(`${name}: not described in variables.json`);
    continue;
  }
  const described = Object.keys(spec.variables).sort();
  if (JSON.stringify(described) !== JSON.stringify([...variables].sort())) {
    problems.push(`${name}: declares ${variables.sort()} but variables.json describes ${described}`);
  }
  writeFileSync(join(out, `${name}.graphql`), text.endsWith("\n") ? text : `${text}\n`);
  const meta = { operation: name, screen: spec.screen, tool, variables: spec.variables };
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(meta, null, 2)}\n`);
}
for (const name of Object.keys(specs)) {
  if (name !== "_" && !seen.has(name)) problems.push(`${name}: in variables.json, but no document`);
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`${documents.length} documents in ${basename(here)}/documents`);
