#!/usr/bin/env node
// Counts `as` type assertions (AsExpression nodes, `as const` excluded) in the TypeScript files
// under the given folders (default: src), and how many of them a comment justifies: a comment on
// the same line or the line above. `require(...) as typeof import(...)` (lazy imports) are not
// assertions about data and are not counted. `--list` prints each cast; `--unjustified` only those without one.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

const args = process.argv.slice(2);
const list = args.includes("--list");
const unjustifiedOnly = args.includes("--unjustified");
const roots = args.filter((a) => !a.startsWith("--"));
if (roots.length === 0) roots.push("src");

function* walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && entry.name !== "generated") yield* walk(full);
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) yield full;
  }
}

function hasComment(lines, line) {
  if (/\/\/|\/\*/.test(lines[line])) return true;
  const above = line > 0 ? lines[line - 1].trim() : "";
  return above.startsWith("//") || above.startsWith("*") || above.endsWith("*/");
}

let total = 0;
let justified = 0;
for (const root of roots) {
  for (const file of walk(root)) {
    const text = fs.readFileSync(file, "utf8");
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const lines = text.split("\n");
    const visit = (node) => {
      if (ts.isAsExpression(node)) {
        const isConst = ts.isTypeReferenceNode(node.type) && node.type.typeName.getText(source) === "const";
        // `require("m") as typeof import("m")` (or `as typeof M` of an `import type`): a lazy
        // import given its module's own type, the only way to type require(); not counted.
        const isLazyImport =
          ts.isCallExpression(node.expression) &&
          node.expression.expression.getText(source) === "require" &&
          (ts.isTypeQueryNode(node.type) || ts.isImportTypeNode(node.type));
        if (!isConst && !isLazyImport) {
          total++;
          const { line } = source.getLineAndCharacterOfPosition(node.type.getStart(source));
          const ok = hasComment(lines, line);
          if (ok) justified++;
          if (list && (!unjustifiedOnly || !ok)) {
            console.log(`${file}:${line + 1}: as ${node.type.getText(source)}${ok ? "" : "  (no comment)"}`);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
}
console.log(
  `as casts (excluding "as const"): ${total}; with a justifying comment: ${justified}; without: ${total - justified}`,
);
