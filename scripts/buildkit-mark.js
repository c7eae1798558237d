#!/usr/bin/env node
// Brings the knownFailure / knownDifference marks of test/buildkit/cases in line with a results
// file (`BUILDKIT_RESULTS=r.json npm run test:buildkit`): a mark is removed where the case now
// passes, and written (from what the run saw) where a case fails without one. Existing marks of
// failing cases are kept, so hand-written reasons survive. Review the diff before committing:
// this is the work queue of issue #13, and each reason must name the difference seen.
const fs = require("node:fs");
const path = require("node:path");

const file = process.argv[2];
if (!file) {
  console.error("usage: node scripts/buildkit-mark.js RESULTS.json");
  process.exit(2);
}
const results = JSON.parse(fs.readFileSync(file, "utf8"));
const casesDir = path.join(__dirname, "..", "test", "buildkit", "cases");

/** Temp paths and digests vary per run; the reason must not. */
function clean(text) {
  return text
    .replace(/\/tmp\/tsbuild-buildkit-[^/]+\/work\/[^/]+\/(ts|bk)\/context\//g, "")
    .replace(/\/tmp\/tsbuild-buildkit-[^\s:]+/g, "<tmp>")
    .replace(/127\.0\.0\.1:\d+/g, "<registry>")
    .replace(/sha256:[0-9a-f]{12,}/g, "sha256:…")
    .replace(/\s+/g, " ")
    .trim();
}

function failureReason(r) {
  return r.tsbuildFailures
    .map((f) => {
      const lines = f
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
      // "the build failed…:" is followed by the error; keep both, shortened.
      return clean(lines.slice(0, 3).join(" ")).slice(0, 300);
    })
    .join("; ");
}

/** Names the systematic differences of issue #13 by their cause, the rest by what was seen. */
function differenceReason(r) {
  const parts = [];
  for (const d of r.differences) {
    const detail = d.detail;
    if (d.field === "config.WorkingDir" && /tsbuild null \/ BuildKit "\/"/.test(detail)) {
      parts.push('config.WorkingDir: tsbuild leaves it unset, BuildKit writes "/"');
    } else if (d.field === "history") {
      const lines = detail.split("\n");
      const kinds = new Set();
      for (const l of lines) {
        const only = /only in (tsbuild|BuildKit) (\{.*\})$/.exec(l);
        if (only) {
          const e = JSON.parse(only[2]);
          if (only[1] === "BuildKit" && /^ARG /.test(e.created_by))
            kinds.add("BuildKit has history entries for ARG, tsbuild none");
          else kinds.add(`entry only in ${only[1]}: "${e.created_by}"`);
          continue;
        }
        const m = /tsbuild (\{.*?\}) \/ BuildKit (\{.*\})$/.exec(l);
        if (!m) continue;
        const a = JSON.parse(m[1]);
        const b = JSON.parse(m[2]);
        if (a.created_by === b.created_by && a.empty_layer !== b.empty_layer)
          kinds.add(
            /^RUN /.test(a.created_by)
              ? "a RUN that changes nothing is empty_layer=true in tsbuild, BuildKit writes an empty layer (false)"
              : `"${a.created_by}": empty_layer ${a.empty_layer} in tsbuild, ${b.empty_layer} in BuildKit`,
          );
        else if (/^(COPY|ADD) /.test(a.created_by))
          kinds.add(`COPY/ADD created_by: tsbuild "${a.created_by}", BuildKit "${b.created_by}"`);
        else kinds.add(`created_by: tsbuild "${a.created_by}", BuildKit "${b.created_by}"`);
      }
      parts.push(
        `history: ${[...kinds].slice(0, 5).join("; ")}${kinds.size > 5 ? ` (+${kinds.size - 5} more)` : ""}`,
      );
    } else if (d.field === "rootfs") {
      const lines = detail.split("\n").slice(1);
      parts.push(
        `rootfs (tsbuild / BuildKit): ${lines.slice(0, 4).join("; ")}${lines.length > 4 ? ` (+${lines.length - 4} more)` : ""}`,
      );
    } else {
      parts.push(`${d.field}: ${detail.split("\n")[0]}`);
    }
  }
  return clean(parts.join(" | ")).slice(0, 600);
}

function setMark(text, key, value) {
  const re = new RegExp(`^  ${key}:[\\s\\S]*?,\\n(?=  [a-zA-Z]+:|\\} satisfies)`, "m");
  const without = text.replace(re, "");
  if (value === undefined) return without;
  const line = `  ${key}: ${JSON.stringify(value)},\n`;
  return without.replace(/^( {2}upstream: [^\n]*\n)/m, `$1${line}`);
}

let changed = 0;
for (const r of results) {
  const p = path.join(casesDir, `${r.id}.ts`);
  if (!fs.existsSync(p)) continue;
  let text = fs.readFileSync(p, "utf8");
  const before = text;
  if (r.tsbuild === "pass") text = setMark(text, "knownFailure", undefined);
  else if (!r.knownFailure) text = setMark(text, "knownFailure", failureReason(r));
  if (r.comparison === "identical") text = setMark(text, "knownDifference", undefined);
  else if (r.comparison === "differs" && !r.knownDifference)
    text = setMark(text, "knownDifference", differenceReason(r));
  if (text !== before) {
    fs.writeFileSync(p, text);
    changed++;
  }
}
console.log(`${changed} case files updated`);
