#!/usr/bin/env node
// tsc drops the executable bit; the package's bin must keep it for `tsbuild` (npm link, npm i -g, npx tsbuild-engine).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const bin = path.resolve(__dirname, "..", "dist", "cli", "main.js");
if (fs.existsSync(bin)) fs.chmodSync(bin, 0o755);
