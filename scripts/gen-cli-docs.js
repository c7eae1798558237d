#!/usr/bin/env node
// Writes docs/cli.md from the CLI's own yargs definitions (dist/cli/commands), so the flag tables
// follow the code: `npm run docs:cli` after adding a flag. `--check` exits 1 when the file is stale.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const OUT = path.join(root, "docs", "cli.md");

/**
 * `docker buildx build` flags that make sense without a daemon or a remote builder, from
 * https://docs.docker.com/reference/cli/docker/buildx/build/ (buildx 0.2x). Left out: --builder,
 * --detach, --root, --server-config (they pick or configure a BuildKit daemon).
 */
const BUILDX_FLAGS = [
  ["add-host", "", "Add a custom host-to-IP mapping (host:ip)"],
  ["allow", "", "Allow extra privileged entitlements (network.host, security.insecure)"],
  ["annotation", "", "Add annotation to the image"],
  ["attest", "", "Attestation parameters (type=sbom|provenance,...)"],
  ["build-arg", "", "Set build-time variables"],
  ["build-context", "", "Additional build contexts (name=path|docker-image://|oci-layout://)"],
  ["cache-from", "", "External cache sources"],
  ["cache-to", "", "Cache export destinations"],
  ["call", "", "Set method for evaluating build (check, outline, targets)"],
  ["cgroup-parent", "", "Parent cgroup for the RUN instructions"],
  ["check", "", "Shorthand for --call=check"],
  ["file", "f", "Name of the Dockerfile"],
  ["iidfile", "", "Write the image ID to a file"],
  ["label", "", "Set metadata for an image"],
  ["load", "", "Shorthand for --output=type=docker"],
  ["metadata-file", "", "Write build result metadata to a file"],
  ["network", "", "Networking mode for the RUN instructions"],
  ["no-cache", "", "Do not use cache when building the image"],
  ["no-cache-filter", "", "Do not cache specified stages"],
  ["output", "o", "Output destination (type=local,dest=path)"],
  ["platform", "", "Set target platform for build"],
  ["progress", "", "Type of progress output (auto, quiet, plain, tty, rawjson)"],
  ["provenance", "", "Shorthand for --attest=type=provenance"],
  ["pull", "", "Always attempt to pull all referenced images"],
  ["push", "", "Shorthand for --output=type=registry"],
  ["quiet", "q", "Suppress the build output and print image ID on success"],
  ["sbom", "", "Shorthand for --attest=type=sbom"],
  ["secret", "", "Secret to expose to the build (id=mysecret[,src=/local/secret])"],
  ["shm-size", "", "Shared memory size for build containers"],
  ["ssh", "", "SSH agent socket or keys to expose to the build"],
  ["tag", "t", "Name and optionally a tag (name:tag)"],
  ["target", "", "Set the target build stage to build"],
  ["ulimit", "", "Ulimit options"],
];

/**
 * Runs a command's yargs builder against a recorder that notes every option and positional and
 * answers every other chained call with itself (the builders only chain).
 */
function recordCommand(command) {
  const options = new Map();
  const positionals = [];
  const add = (name, spec) => options.set(name, { ...(options.get(name) || {}), ...(spec || {}) });
  const recorder = new Proxy(
    {},
    {
      get(_t, prop) {
        if (prop === "option") return (name, spec) => (add(name, spec), recorder);
        if (prop === "options")
          return (specs) => {
            for (const [name, spec] of Object.entries(specs || {})) add(name, spec);
            return recorder;
          };
        if (prop === "positional")
          return (name, spec) => (positionals.push({ name, ...(spec || {}) }), recorder);
        if (prop === "alias")
          return (name, alias) => (
            add(name, { alias: [...toList(options.get(name)?.alias), ...toList(alias)] }),
            recorder
          );
        if (prop === "then") return undefined;
        return () => recorder;
      },
    },
  );
  // A lazily loaded entry ({ command, describe, load }) or a command module itself.
  const module = typeof command.load === "function" ? command.load() : command;
  module.builder(recorder);
  return { options, positionals };
}

const toList = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const cell = (s) => String(s).replace(/\|/g, "\\|").replace(/\n/g, " ");
const flagName = (name, spec) =>
  [
    ...toList(spec.alias)
      .filter((a) => a.length === 1)
      .map((a) => `-${a}`),
    `--${name}`,
  ]
    .map((f) => `\`${f}\``)
    .join(", ");
const valueOf = (spec) =>
  spec.choices ? toList(spec.choices).join("\\|") : spec.type === "boolean" ? "" : spec.type || "string";

function optionTable(options) {
  const rows = ["| Flag | Value | Description |", "| --- | --- | --- |"];
  for (const [name, spec] of [...options].sort(([a], [b]) => a.localeCompare(b))) {
    rows.push(
      `| ${flagName(name, spec)} | ${cell(valueOf(spec))} | ${cell(spec.describe || spec.description || "")} |`,
    );
  }
  return rows.join("\n");
}

/** docs/cli.md for the given command list (the `commands` export of src/cli/commands). */
function renderCliDocs(commands) {
  const recorded = commands.map((c) => ({ c, ...recordCommand(c) }));
  const build = recorded.find((r) => toList(r.c.command)[0].startsWith("build"));
  const has = (name) => build.options.has(name);
  const supported = BUILDX_FLAGS.filter(([name]) => has(name));
  const out = [];
  out.push("# tsbuild command line");
  out.push("");
  out.push(
    "<!-- Generated by scripts/gen-cli-docs.js from the yargs definitions in src/cli/commands; do not edit. " +
      "Regenerate with `npm run docs:cli`. -->",
  );
  out.push("");
  out.push(
    "Exit statuses: 0 success, 1 the operation failed, 2 a usage error (unknown flag, bad value), " +
      "130/143 interrupted by SIGINT/SIGTERM. Shell completion: `tsbuild completion >> ~/.bashrc` " +
      "(bash; zsh with `bashcompinit`).",
  );
  out.push("");
  out.push("## `tsbuild build` and `docker buildx build`");
  out.push("");
  out.push(
    `Of the ${BUILDX_FLAGS.length} \`docker buildx build\` flags that make sense without a daemon ` +
      "([buildx reference](https://docs.docker.com/reference/cli/docker/buildx/build/); left out: " +
      "`--builder`, `--detach`, `--root`, `--server-config`), `tsbuild build` accepts " +
      `**${supported.length}**. "yes" means the flag exists with buildx's syntax; its own tests and ` +
      "`tsbuild build --help` say what each value does.",
  );
  out.push("");
  out.push("| buildx flag | tsbuild | buildx description |");
  out.push("| --- | --- | --- |");
  for (const [name, short, describe] of BUILDX_FLAGS) {
    const flags = [short ? `\`-${short}\`` : "", `\`--${name}\``].filter(Boolean).join(", ");
    out.push(`| ${flags} | ${has(name) ? "yes" : "**no**"} | ${cell(describe)} |`);
  }
  out.push("");
  const own = [...build.options].filter(([name]) => !BUILDX_FLAGS.some(([b]) => b === name));
  out.push(
    `Flags of \`tsbuild build\` that buildx does not have: ${own.map(([n]) => `\`--${n}\``).join(", ")}.`,
  );
  out.push("");
  out.push("## Commands");
  for (const r of recorded) {
    const names = toList(r.c.command);
    const usage = names[0].replace(/^\$0 ?/, "");
    out.push("");
    out.push(`### \`tsbuild ${usage}\``);
    out.push("");
    const isDefault = names.some((n) => n.startsWith("$0")) && !/default command/.test(r.c.describe);
    out.push(r.c.describe + (isDefault ? " (the default command)." : "."));
    if (r.positionals.length > 0) {
      out.push("");
      for (const p of r.positionals) out.push(`- \`${p.name}\`: ${p.describe || p.description || ""}`);
    }
    out.push("");
    out.push(r.options.size > 0 ? optionTable(r.options) : "No flags.");
  }
  out.push("");
  out.push("### `tsbuild completion`");
  out.push("");
  out.push(
    "Prints a bash completion script (yargs); `tsbuild completion >> ~/.bashrc`, then open a new shell.",
  );
  out.push("");
  return { text: out.join("\n"), supported: supported.length, total: BUILDX_FLAGS.length };
}

module.exports = { renderCliDocs, formatted, BUILDX_FLAGS };

if (require.main === module) {
  const dist = path.join(root, "dist", "cli", "commands", "index.js");
  if (!fs.existsSync(dist)) {
    console.error("gen-cli-docs: dist/ is missing; run npm run build first");
    process.exit(1);
  }
  main(require(dist).commands).catch((err) => {
    console.error(`gen-cli-docs: ${err.stack || err}`);
    process.exit(1);
  });
}

/** The markdown as `npm run lint` wants it (prettier with the repository's config). */
async function formatted(text) {
  const prettier = require("prettier");
  const config = (await prettier.resolveConfig(OUT)) || {};
  return prettier.format(text, { ...config, filepath: OUT });
}

async function main(commands) {
  const rendered = renderCliDocs(commands);
  const { supported, total } = rendered;
  const text = await formatted(rendered.text);
  if (process.argv.includes("--check")) {
    const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, "utf8") : "";
    if (current !== text) {
      console.error("gen-cli-docs: docs/cli.md is stale; run npm run docs:cli");
      process.exit(1);
    }
  } else {
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    fs.writeFileSync(OUT, text);
    console.log(`docs/cli.md: ${supported}/${total} buildx flags`);
  }
}
