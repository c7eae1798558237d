#!/usr/bin/env node
// Prints the BuildKit suite's results (the JSON `BUILDKIT_RESULTS=file npm run test:buildkit`
// writes) as the Markdown table of test/buildkit/README.md, or one line per case with --brief.
const fs = require("node:fs");

const [file, flag] = process.argv.slice(2);
if (!file) {
  console.error("usage: node scripts/buildkit-report.js RESULTS.json [--brief]");
  process.exit(2);
}
const results = JSON.parse(fs.readFileSync(file, "utf8"));
const cell = (s) => String(s).replace(/\|/g, "\\|").replace(/\n/g, " ");
const short = (f) => f.split(/\n/)[0].slice(0, 160);

if (flag === "--brief") {
  for (const r of results) {
    const cmp =
      r.comparison === "differs" ? `differs[${r.differences.map((d) => d.field).join(",")}]` : r.comparison;
    console.log(
      `${r.id}\t${r.tsbuild}${r.knownFailure ? "(known)" : ""}\t${cmp}${r.knownDifference ? "(known)" : ""}`,
    );
    for (const f of r.tsbuildFailures) console.log(`    ts: ${short(f)}`);
    for (const d of r.differences)
      console.log(`    vs: ${d.field}: ${d.detail.split("\n").slice(0, 4).join(" ; ").slice(0, 300)}`);
    for (const f of r.buildkitFailures) console.log(`    bk-upstream: ${short(f)}`);
  }
  process.exit(0);
}

console.log("| case | upstream file | upstream assertions | vs BuildKit 20.10 |");
console.log("|---|---|---|---|");
for (const r of results) {
  const up = r.tsbuild === "pass" ? "pass" : r.knownFailure ? `known failure: ${r.knownFailure}` : "FAIL";
  let cmp;
  if (r.comparison === "identical")
    cmp = r.ignored ? `identical (except ${r.ignored.join(", ")}: 20.10 older)` : "identical";
  else if (r.comparison === "upstream-only") cmp = `upstream-only: ${r.skipReason}`;
  else if (r.comparison === "differs")
    cmp = `differs: ${r.knownDifference ?? r.differences.map((d) => d.field).join(", ")}`;
  else cmp = "not compared";
  console.log(
    `| ${cell(r.title)} | ${r.upstream.replace("frontend/dockerfile/", "")} | ${cell(up)} | ${cell(cmp)} |`,
  );
}
