// Reading a V8 .cpuprofile (self and inclusive time per function and per file) and the summary
// table of `strace -c`.
"use strict";

function shortUrl(url, root) {
  if (!url) return "";
  let u = url.replace(/^file:\/\//, "");
  if (u.startsWith(root + "/")) u = u.slice(root.length + 1);
  return u.replace(/^node_modules\//, "npm:");
}

/**
 * {durationMs, sampledMs, categories: {idle, gc, program}, selfTop, totalTop, fileTop}. A sample's
 * time is the delta to the next sample (as DevTools counts it); inclusive time charges a sample to
 * every distinct function on its stack once.
 */
function analyzeProfile(profile, root) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const key = (n) => {
    const f = n.callFrame;
    const where = f.url ? `${shortUrl(f.url, root)}:${f.lineNumber + 1}` : "";
    return {
      id: `${f.functionName}@${where}`,
      name: f.functionName || "(anonymous)",
      where,
      file: shortUrl(f.url, root),
    };
  };
  const self = new Map();
  const total = new Map();
  const files = new Map();
  const info = new Map();
  const categories = { idle: 0, gc: 0, program: 0 };
  let sampled = 0;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = (i + 1 < timeDeltas.length ? timeDeltas[i + 1] : 0) / 1000;
    if (dt <= 0) continue;
    const node = nodes.get(samples[i]);
    const k = key(node);
    sampled += dt;
    if (k.name === "(idle)") categories.idle += dt;
    else if (k.name === "(garbage collector)") categories.gc += dt;
    else if (k.name === "(program)") categories.program += dt;
    info.set(k.id, k);
    self.set(k.id, (self.get(k.id) || 0) + dt);
    const fileKey = k.file || k.name;
    files.set(fileKey, (files.get(fileKey) || 0) + dt);
    const seen = new Set();
    for (let id = samples[i]; id !== undefined; id = parent.get(id)) {
      const pk = key(nodes.get(id));
      if (pk.name === "(root)" || seen.has(pk.id)) continue;
      seen.add(pk.id);
      info.set(pk.id, pk);
      total.set(pk.id, (total.get(pk.id) || 0) + dt);
    }
  }
  const top = (map, n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([id, v]) => ({ ...info.get(id), ms: v, pct: (100 * v) / sampled }));
  return {
    durationMs: (profile.endTime - profile.startTime) / 1000,
    sampledMs: sampled,
    categories,
    selfTop: top(self, 25),
    totalTop: top(total, 30).filter((f) => f.name !== "(idle)"),
    fileTop: [...files.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 20)
      .map(([file, v]) => ({ file, ms: v, pct: (100 * v) / sampled })),
  };
}

/** Rows of `strace -c` ({pct, seconds, usecsPerCall, calls, errors, syscall}) and its totals. */
function parseStraceSummary(text) {
  const rows = [];
  let totals = { totalCalls: 0, totalErrors: 0, totalSeconds: 0 };
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || !/^\d/.test(f[0])) continue;
    if (f[f.length - 1] === "total") {
      const errors = f.length === 6 ? Number(f[4]) : 0;
      totals = { totalCalls: Number(f[3]), totalErrors: errors, totalSeconds: Number(f[1]) };
      continue;
    }
    const syscall = f[f.length - 1];
    const hasErrors = f.length === 6;
    rows.push({
      pct: f[0],
      seconds: f[1],
      usecsPerCall: f[2],
      calls: Number(f[3]),
      errors: hasErrors ? Number(f[4]) : 0,
      syscall,
    });
  }
  rows.sort((a, b) => Number(b.seconds) - Number(a.seconds) || b.calls - a.calls);
  return { rows, ...totals };
}

module.exports = { analyzeProfile, parseStraceSummary };
