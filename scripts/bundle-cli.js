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
  // Native addons must load from node_modules; undici only with deferred extra CAs.
  external: ["@napi-rs/xattr", "@napi-rs/xattr-*", "zstd-napi", "undici"],
  define: { TSBUILD_VERSION: JSON.stringify(pkg.version) },
  // Whitespace and syntax only: names stay, so stack traces of internal errors still read.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: "linked",
  sourcesContent: false,
  logLevel: "warning",
  absWorkingDir: root,
  // The launcher reads the bundle as latin1 (no UTF-8 decoding): checked below.
  charset: "ascii",
  write: false,
};

/**
 * The bin's first two lines are a shell script that is also JavaScript (Node skips the #! line;
 * `":"` is a string statement and the rest a comment). Run as a program, sh moves
 * NODE_EXTRA_CA_CERTS to TSBUILD_EXTRA_CA_CERTS and execs Node on the same file: Node 20 would
 * parse every certificate of it at start-up (src/net/extra-ca.ts). `node dist/cli/main.js`
 * skips the shell line and keeps Node's own handling.
 */
const SHELL_PRELUDE = [
  "#!/bin/sh",
  '":" //; if [ -n "${NODE_EXTRA_CA_CERTS-}" ]; then TSBUILD_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS; ' +
    'export TSBUILD_EXTRA_CA_CERTS; unset NODE_EXTRA_CA_CERTS; fi; exec node "$0" "$@"',
].join("\n");

/**
 * esbuild's __toESM makes a fresh namespace object, one getter per export, for every module that
 * does `import * as fs from "node:fs"` (~180 of them, ~100 getters each: ~15 ms at start-up). A
 * namespace only reads its module, so one per (module, mode) serves every importer.
 */
const TO_ESM = /var __toESM=\(mod,isNodeMode,(target\d*)\)=>/;
const TO_ESM_MEMO =
  "var __toESMmemo=new WeakMap,__toESM=(mod,isNodeMode)=>{" +
  'if(mod==null||typeof mod!="object"&&typeof mod!="function")return __toESMfresh(mod,isNodeMode);' +
  "let m=__toESMmemo.get(mod);m||__toESMmemo.set(mod,m=[]);const k=isNodeMode?1:0;" +
  "return m[k]||(m[k]=__toESMfresh(mod,isNodeMode))},__toESMfresh=(mod,isNodeMode,$1)=>";

function finish(target, files) {
  for (const file of files) {
    let text = file.text;
    if (file.path.endsWith(".js")) {
      if (/[\u0080-\uffff]/.test(text)) throw new Error(`${file.path}: not ASCII`);
      if (TO_ESM.test(text)) text = text.replace(TO_ESM, TO_ESM_MEMO);
      else if (text.includes("__toESM("))
        throw new Error(`${file.path}: esbuild's __toESM changed; update TO_ESM`);
      if (target.shell) text = `${SHELL_PRELUDE}\n${text.replace(/^#!.*\n/, "")}`;
    }
    fs.mkdirSync(path.dirname(file.path), { recursive: true });
    fs.writeFileSync(file.path, text);
  }
}

/**
 * src/rootfs/unpack/tar-stream-headers.ts requires tar-stream's headers.js by a computed path,
 * which esbuild leaves to run time: Node would then load a second copy from node_modules, and
 * the PAX wrapper would patch that one, not the bundled extractor's (binary xattrs such as
 * security.capability were dropped by the CLI). Here the module becomes a static require of
 * the same file, which esbuild bundles once for both.
 */
const TAR_STREAM_HEADERS = path.join(path.dirname(require.resolve("tar-stream")), "headers.js");
const sharedTarStreamHeaders = {
  name: "shared-tar-stream-headers",
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]rootfs[\\/]unpack[\\/]tar-stream-headers\.ts$/ }, () => ({
      contents: `exports.tarStreamHeaders = () => require(${JSON.stringify(TAR_STREAM_HEADERS)});\n`,
      loader: "js",
    }));
  },
};

const targets = [
  { entry: "src/cli/main.ts", out: "dist/cli/tsbuild.js" },
  { entry: "src/cli/launcher.ts", out: "dist/cli/main.js", shell: true },
  { entry: "src/engine/userns-worker.ts", out: "dist/engine/userns-worker.js" },
];

// The launcher's code caches belong to the bundle they were made from.
const cliDir = path.join(root, "dist", "cli");
for (const name of fs.existsSync(cliDir) ? fs.readdirSync(cliDir) : []) {
  if (name.startsWith(".tsbuild.js.") && name.endsWith(".v8cache")) fs.rmSync(path.join(cliDir, name));
}

Promise.all(
  targets.map((t) =>
    esbuild
      .build({
        ...common,
        plugins: [sharedTarStreamHeaders],
        entryPoints: [path.join(root, t.entry)],
        outfile: path.join(root, t.out),
      })
      .then((result) => finish(t, result.outputFiles)),
  ),
).catch((err) => {
  if (err && !err.errors) console.error(`bundle-cli: ${err.message}`);
  process.exitCode = 1;
});
