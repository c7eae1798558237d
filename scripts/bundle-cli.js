#!/usr/bin/env node
// Bundles the CLI into one file with esbuild, after tsc has written dist/ (the library API stays
// tsc's dist/index.js and its modules). One file means one read and one compile at start-up
// instead of resolving and loading ~300 modules; command modules stay lazy inside the bundle
// (esbuild evaluates a require()d module on its first require). Writes:
//   dist/cli/main.js             the bin
//   dist/engine/userns-worker.js the rootless engine child (src/engine/userns-build.ts spawns it)
// Native addons stay external: they are .node files that must be loaded from node_modules.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const esbuild = require("esbuild");

const root = path.resolve(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  external: ["@napi-rs/xattr", "zstd-napi"],
  define: { TSBUILD_VERSION: JSON.stringify(pkg.version) },
  // Whitespace and syntax only: names stay, so stack traces of internal errors still read.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: "linked",
  sourcesContent: false,
  logLevel: "warning",
  absWorkingDir: root,
};

const targets = [
  { entry: "src/cli/main.ts", out: "dist/cli/tsbuild.js" },
  { entry: "src/cli/launcher.ts", out: "dist/cli/main.js" },
  { entry: "src/engine/userns-worker.ts", out: "dist/engine/userns-worker.js" },
];

// The launcher's code caches belong to the bundle they were made from.
const cliDir = path.join(root, "dist", "cli");
for (const name of fs.existsSync(cliDir) ? fs.readdirSync(cliDir) : []) {
  if (name.startsWith(".tsbuild.js.") && name.endsWith(".v8cache")) fs.rmSync(path.join(cliDir, name));
}

Promise.all(
  targets.map((t) =>
    esbuild.build({ ...common, entryPoints: [path.join(root, t.entry)], outfile: path.join(root, t.out) }),
  ),
).catch(() => {
  process.exitCode = 1;
});
