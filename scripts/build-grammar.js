#!/usr/bin/env node
// Compiles grammar/*.ne with nearleyc into src/parser/generated/*.ts.
// The generated files are build output: never edit them, never commit them.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const outDir = path.join(root, "src", "parser", "generated");
fs.mkdirSync(outDir, { recursive: true });
const nearleyc = require.resolve("nearley/bin/nearleyc.js");
for (const name of fs.readdirSync(path.join(root, "grammar"))) {
  if (!name.endsWith(".ne")) continue;
  const src = path.join(root, "grammar", name);
  const out = path.join(outDir, name.replace(/\.ne$/, ".ts"));
  const tmp = `${out}.tmp`;
  execFileSync(process.execPath, [nearleyc, src, "-o", tmp], { stdio: ["ignore", "ignore", "inherit"] });
  // nearleyc's TypeScript output is not strict-clean; the generated file opts out of checks.
  const body = fs.readFileSync(tmp, "utf8");
  fs.writeFileSync(
    out,
    "// @ts-nocheck\n/* eslint-disable */\n// Generated from grammar/" +
      name +
      " by scripts/build-grammar.js. Do not edit.\n" +
      body,
  );
  fs.unlinkSync(tmp);
}
