// results.md (ratio table, spreads and peak RSS, micro rows, the goals of issue #15, the machine
// and its noise) and results.svg (the tsbuild/BuildKit ratios as bars, hand-written SVG).
"use strict";
const { summary } = require("./stats");
const { VARIANTS } = require("./measure");

const VARIANT_TITLES = {
  cold: "cold",
  noChange: "no-change",
  touch: "touch (bytes same)",
  edit: "edit one copied file",
};
const BUILDER_TITLES = { tsbuild: "tsbuild", buildkit: "BuildKit", buildah: "Buildah" };

/** The big-context shapes: their goals are stricter, and their peak RSS has a goal. */
const isBigContext = (shapeId) => shapeId === "context" || shapeId === "context10";

/** Goals of issue #15 (ratio tsbuild/BuildKit, at most). */
function goal(shapeId, variant) {
  const big = isBigContext(shapeId);
  if (variant === "cold") return big ? 0.7 : 1.0;
  if (variant === "noChange" || variant === "touch") return big ? 0.5 : 1.0;
  return big ? 0.7 : 1.0;
}

const repsText = (i) =>
  `${i.reps} repetition(s)` +
  (i.builders.includes("buildah") && i.buildahReps !== i.reps ? ` (Buildah ${i.buildahReps})` : "");

const secs = (s) => (s === null ? "–" : s.median < 10 ? s.median.toFixed(2) : s.median.toFixed(1));
const spread = (s) => (s === null ? "–" : `${s.min.toFixed(2)}–${s.max.toFixed(2)}`);
const mb = (kb) => (kb === null ? "–" : `${Math.round(kb / 1024)} MB`);

function cell(shape, builder, variant) {
  const r = shape.results[builder];
  if (!r) return null;
  return summary(r[variant].map((x) => x.seconds));
}

function ratioOf(shape, variant) {
  const a = cell(shape, "tsbuild", variant);
  const b = cell(shape, "buildkit", variant);
  return a && b ? a.median / b.median : null;
}

/** Median CPU seconds (user + system) of a cell. */
function cpuCell(shape, builder, variant) {
  const r = shape.results[builder];
  if (!r) return null;
  return summary(r[variant].map((x) => (x.cpu ? x.cpu.user + x.cpu.sys : null)));
}

function cpuRatioOf(shape, variant) {
  const a = cpuCell(shape, "tsbuild", variant);
  const b = cpuCell(shape, "buildkit", variant);
  return a && b && b.median > 0 ? a.median / b.median : null;
}

function cpuTable(data) {
  const builders = data.info.builders;
  const lines = [
    "CPU seconds (user + system, median) of the build: tsbuild and Buildah their process tree (GNU time), " +
      "BuildKit the docker client plus what dockerd and the children it reaped used during the build " +
      "(containerd not counted). Less sensitive than wall time to the other work on the machine.",
    "",
    `| build | ${VARIANTS.map((v) => VARIANT_TITLES[v]).join(" | ")} |`,
    `|---|${VARIANTS.map(() => "---").join("|")}|`,
  ];
  for (const shape of data.shapes) {
    const cells = VARIANTS.map((v) => {
      const parts = builders.map((b) => secs(cpuCell(shape, b, v)));
      const ratio = cpuRatioOf(shape, v);
      return parts.join(" / ") + (ratio === null ? "" : ` (${ratio.toFixed(2)}×)`);
    });
    lines.push(`| ${shape.title} | ${cells.join(" | ")} |`);
  }
  return lines;
}

function ratioTable(data) {
  const builders = data.info.builders;
  const lines = [
    `Median seconds, ${builders.map((b) => BUILDER_TITLES[b]).join(" / ")}` +
      (builders.includes("tsbuild") && builders.includes("buildkit") ? "; (ratio = tsbuild / BuildKit)" : ""),
    "",
    `| build | ${VARIANTS.map((v) => VARIANT_TITLES[v]).join(" | ")} |`,
    `|---|${VARIANTS.map(() => "---").join("|")}|`,
  ];
  for (const shape of data.shapes) {
    const cells = VARIANTS.map((v) => {
      const parts = builders.map((b) => secs(cell(shape, b, v)));
      const ratio = ratioOf(shape, v);
      return parts.join(" / ") + (ratio === null ? "" : ` (${ratio.toFixed(2)}×)`);
    });
    lines.push(`| ${shape.title} | ${cells.join(" | ")} |`);
  }
  return lines;
}

function detailTable(data) {
  const builders = data.info.builders;
  const lines = [
    `Median (min–max) seconds over ${repsText(data.info)} and the peak RSS (median): tsbuild and ` +
      "Buildah the largest process of the build (GNU time), BuildKit dockerd's high-water mark during the " +
      "build. `cached`: steps the builder's output reports as cached (median; each builder counts its own " +
      "way, so compare a builder's rows, not builders).",
    "",
    `| build | variant | ${builders.map((b) => `${BUILDER_TITLES[b]} s | min–max | RSS | cached`).join(" | ")} |`,
    `|---|---|${builders.map(() => "---|---|---|---").join("|")}|`,
  ];
  for (const shape of data.shapes) {
    for (const v of VARIANTS) {
      const cols = builders.map((b) => {
        const r = shape.results[b];
        const s = cell(shape, b, v);
        const rss = summary(r[v].map((x) => x.maxRssKB));
        const cached = summary(r[v].map((x) => x.cached));
        return `${secs(s)} | ${spread(s)} | ${rss ? mb(rss.median) : "–"} | ${cached ? cached.median : "–"}`;
      });
      lines.push(`| ${shape.id} | ${VARIANT_TITLES[v]} | ${cols.join(" | ")} |`);
    }
  }
  const errors = [];
  for (const shape of data.shapes)
    for (const b of builders)
      for (const e of shape.results[b].errors) errors.push(`- ${shape.id}, ${b}: ${e}`);
  if (errors.length) lines.push("", "Failures (these cells have fewer repetitions or none):", "", ...errors);
  return lines;
}

function microLines(data) {
  const m = data.micro;
  const lines = [];
  if (m.version) {
    lines.push("| command | median | min–max | peak RSS |", "|---|---|---|---|");
    for (const [name, runs] of Object.entries(m.version)) {
      const s = summary(runs.map((r) => r.seconds));
      const rss = summary(runs.map((r) => r.maxRssKB));
      lines.push(
        `| \`${name}\` | ${(s.median * 1000).toFixed(0)} ms | ${(s.min * 1000).toFixed(0)}–${(s.max * 1000).toFixed(0)} ms | ${mb(rss.median)} |`,
      );
    }
    lines.push("");
  }
  if (m.runstep) {
    lines.push(
      "`RUN true` per step (base pulled beforehand; a build of 20 new `RUN true` steps minus a build with none, / 20):",
      "",
      "| builder | per step, median | min–max | baseline build | 20-step build |",
      "|---|---|---|---|---|",
    );
    for (const [b, r] of Object.entries(m.runstep)) {
      const s = summary(r.perStep);
      if (!s) {
        lines.push(`| ${BUILDER_TITLES[b]} | failed: ${r.errors.join("; ").slice(0, 200)} | | | |`);
        continue;
      }
      lines.push(
        `| ${BUILDER_TITLES[b]} | ${(s.median * 1000).toFixed(0)} ms | ${(s.min * 1000).toFixed(0)}–${(s.max * 1000).toFixed(0)} ms | ${secs(summary(r.baseline))} s | ${secs(summary(r.twenty))} s |`,
      );
    }
    const a = summary((m.runstep.tsbuild || {}).perStep || []);
    const b = summary((m.runstep.buildkit || {}).perStep || []);
    if (a && b)
      lines.push("", `Ratio tsbuild / BuildKit per RUN step: ${(a.median / b.median).toFixed(2)}×.`);
    lines.push("");
  }
  if (m.export) {
    const e = m.export;
    const ref = summary(e.reference);
    lines.push(
      "Export of the big context's image to an OCI archive (tsbuild: no-change rebuild with `-o type=oci,dest=…` " +
        "minus the same rebuild without it, the image's first export from a fresh cache, which compresses its layers; " +
        "again: a second export, from the compressed blobs the first cached; Buildah: `buildah push … oci-archive:`; dockerd 20.10's builder has no " +
        "OCI exporter), next to `tar -c <the kept files> | pigz -6 | sha256sum`:",
      "",
      "| what | median | min–max |",
      "|---|---|---|",
      `| \`tar \\| pigz -6 \\| sha256sum\` | ${secs(ref)} s | ${spread(ref)} |`,
    );
    if (e.tsbuild && e.tsbuild.export.length) {
      const ex = summary(e.tsbuild.export);
      lines.push(
        `| tsbuild export (difference) | ${secs(ex)} s | ${spread(ex)} |`,
        ...(e.tsbuild.again && e.tsbuild.again.length
          ? [
              `| tsbuild export again (difference) | ${secs(summary(e.tsbuild.again))} s | ${spread(summary(e.tsbuild.again))} |`,
            ]
          : []),
        `| tsbuild no-change rebuild + export | ${secs(summary(e.tsbuild.withExport))} s | ${spread(summary(e.tsbuild.withExport))} |`,
        `| tsbuild no-change rebuild | ${secs(summary(e.tsbuild.rebuild))} s | ${spread(summary(e.tsbuild.rebuild))} |`,
      );
      if (ref) lines.push(`| ratio tsbuild export / reference | ${(ex.median / ref.median).toFixed(2)}× | |`);
    }
    if (e.buildah && e.buildah.export.length) {
      const bh = summary(e.buildah.export);
      lines.push(`| Buildah push oci-archive | ${secs(bh)} s | ${spread(bh)} |`);
    }
    if (e.tsbuild && e.tsbuild.archiveBytes)
      lines.push(
        "",
        `tsbuild's archive: ${(e.tsbuild.archiveBytes / 1e6).toFixed(1)} MB, checked with \`skopeo inspect\`.`,
      );
    for (const err of e.errors) lines.push("", `Failure: ${err}`);
    lines.push("");
  }
  return lines;
}

function goalLines(data) {
  if (!data.info.builders.includes("tsbuild") || !data.info.builders.includes("buildkit")) return [];
  const lines = ["| build | variant | ratio | goal | met |", "|---|---|---|---|---|"];
  for (const shape of data.shapes) {
    if (shape.id === "debian") continue; // the goals name the four shapes
    for (const v of VARIANTS) {
      const r = ratioOf(shape, v);
      if (r === null) continue;
      const g = goal(shape.id, v);
      lines.push(
        `| ${shape.id} | ${VARIANT_TITLES[v]} | ${r.toFixed(2)}× | ≤ ${g.toFixed(1)}× | ${r <= g ? "yes" : "no"} |`,
      );
    }
  }
  for (const ctx of data.shapes.filter((s) => isBigContext(s.id))) {
    const rss = summary(VARIANTS.flatMap((v) => ctx.results.tsbuild[v].map((x) => x.maxRssKB)));
    if (rss)
      lines.push(
        `| ${ctx.id} | peak RSS (max) | ${mb(rss.max)} | < 300 MB | ${rss.max / 1024 < 300 ? "yes" : "no"} |`,
      );
  }
  const e = data.micro.export;
  if (e && e.tsbuild && e.tsbuild.export.length && e.reference.length) {
    const r = summary(e.tsbuild.export).median / summary(e.reference).median;
    lines.push(
      `| context | OCI export / tar \\| pigz \\| sha256sum | ${r.toFixed(2)}× | ≤ 1.5× | ${r <= 1.5 ? "yes" : "no"} |`,
    );
  }
  if (lines.length <= 2) return [];
  if (e && e.tsbuild && !e.tsbuild.again)
    lines.push(
      "",
      "The export row of this run was measured after the image had been exported once already: " +
        "it shows a re-export from cached compressed blobs, not a first export.",
    );
  return lines;
}

function noiseLines(info) {
  const n = info.noise;
  if (!n) return [];
  const top = n.topOthers
    .filter((t) => t.seconds >= 1)
    .map((t) => `${t.comm} ${t.seconds.toFixed(0)} s`)
    .join(", ");
  return [
    `- Run took ${(n.wallSeconds / 60).toFixed(1)} min. The machine's CPUs were busy ${n.machineBusySeconds.toFixed(0)} ` +
      `CPU-s in that time (of ${(n.wallSeconds * n.cores).toFixed(0)} available), of which about ` +
      `${n.othersSeconds.toFixed(0)} CPU-s (${((100 * n.othersSeconds) / (n.wallSeconds * n.cores)).toFixed(0)}% of the ` +
      `machine) were other processes, not this benchmark; steal ${n.stealSeconds.toFixed(0)} s.`,
    `- Load average (1 min) during the run: ${n.loadMin.toFixed(1)}–${n.loadMax.toFixed(1)}, mean ${n.loadMean.toFixed(1)} on ${n.cores} cores.`,
    top
      ? `- Other processes that used the most CPU (sampled every 3 s): ${top}.`
      : "- No other process used ≥ 1 CPU-s.",
  ];
}

function markdown(data) {
  const i = data.info;
  const lines = [
    "# Benchmark results (`npm run bench`)",
    "",
    "Written by `bench/run.js`; regenerate with `npm run bench` (options: `node bench/run.js --help`).",
    "Shapes of issue #15, each builder from a fresh state (empty cache / new daemon / new storage root),",
    "all pulling their base from one local `docker-registry`; each build a new process.",
    "",
    `- Date: ${i.date}; command: \`${i.command}\`; ${repsText(i)} per cell${i.partial ? " — **partial run**" : ""}.`,
    `- Machine: ${i.cpu}, ${i.memory}, ${i.os}, kernel ${i.kernel}, Node ${i.node}.`,
    `- tsbuild ${i.tsbuild}; ${i.docker} with BuildKit; ${i.buildah}; ${i.registry}.`,
    ...noiseLines(i),
    "",
    "## Ratio table",
    "",
    ...ratioTable(data),
    "",
    "![ratios](results.svg)",
    "",
    ...cpuTable(data),
    "",
    "## Against the goals of issue #15",
    "",
    ...goalLines(data),
    "",
    "## Spread, peak RSS, cache hits",
    "",
    ...detailTable(data),
    "",
    "## Micro rows",
    "",
    ...microLines(data),
  ];
  if (i.notes && i.notes.length)
    lines.push("## Notes", "", ...i.notes.map((n) => (n.startsWith("- ") ? n : `- ${n}`)), "");
  return lines.join("\n").replace(/\n{3,}/g, "\n\n");
}

const COLORS = { cold: "#4e79a7", noChange: "#59a14f", touch: "#edc948", edit: "#e15759" };

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Grouped bars: one group per shape (and one for the RUN step), one bar per variant. */
function svg(data) {
  const groups = data.shapes.map((s) => ({
    label: s.id,
    title: s.title,
    bars: VARIANTS.map((v) => ({
      variant: v,
      ratio: ratioOf(s, v),
      cpu: cpuRatioOf(s, v),
      goal: s.id === "debian" ? null : goal(s.id, v),
    })),
  }));
  const rs = data.micro.runstep;
  if (rs && rs.tsbuild && rs.buildkit) {
    const a = summary(rs.tsbuild.perStep);
    const b = summary(rs.buildkit.perStep);
    groups.push({
      label: "RUN step",
      title: "one RUN true step",
      bars: [{ variant: "cold", ratio: a && b ? a.median / b.median : null, goal: 1 }],
    });
  }
  const W = 960;
  const H = 440;
  const left = 60;
  const right = 20;
  const top = 50;
  const bottom = 90;
  const all = groups
    .flatMap((g) => g.bars.flatMap((b) => [b.ratio, b.cpu]))
    .filter((r) => typeof r === "number");
  const yMax = Math.max(2, Math.ceil(Math.max(...all, 1) * 2) / 2);
  const y = (r) => top + (H - top - bottom) * (1 - Math.min(r, yMax) / yMax);
  const gw = (W - left - right) / Math.max(groups.length, 1);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">tsbuild / BuildKit, median wall time (lower is better; 1.0 = as fast as BuildKit)</text>`,
    `<text x="${W / 2}" y="38" text-anchor="middle" fill="#555">${esc(data.info.date.slice(0, 10))}, ${data.info.reps} repetition(s), ${esc(data.info.cpu)}; black ticks: goals of issue #15; circles: CPU-time ratio</text>`,
  ];
  for (let t = 0; t <= yMax + 1e-9; t += 0.5) {
    out.push(
      `<line x1="${left}" x2="${W - right}" y1="${y(t)}" y2="${y(t)}" stroke="${t === 1 ? "#333" : "#ddd"}"${t === 1 ? ' stroke-dasharray="6 4"' : ""}/>`,
      `<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${t.toFixed(1)}×</text>`,
    );
  }
  groups.forEach((g, gi) => {
    const x0 = left + gi * gw;
    const bw = Math.min(28, (gw - 20) / 4);
    const start = x0 + (gw - bw * g.bars.length) / 2;
    g.bars.forEach((b, bi) => {
      const x = start + bi * bw;
      if (b.ratio === null) {
        out.push(
          `<text x="${x + bw / 2}" y="${y(0) - 4}" text-anchor="middle" fill="#999" font-size="10">n/a</text>`,
        );
      } else {
        out.push(
          `<rect x="${x + 1}" y="${y(b.ratio)}" width="${bw - 2}" height="${y(0) - y(b.ratio)}" fill="${COLORS[b.variant]}"><title>${esc(g.title)}, ${VARIANT_TITLES[b.variant]}: ${b.ratio.toFixed(2)}×</title></rect>`,
          `<text x="${x + bw / 2}" y="${y(b.ratio) - 4}" text-anchor="middle" font-size="10">${b.ratio.toFixed(2)}</text>`,
        );
      }
      if (b.cpu !== null && b.cpu !== undefined)
        out.push(
          `<circle cx="${x + bw / 2}" cy="${y(b.cpu)}" r="3.5" fill="white" stroke="#222" stroke-width="1.5"><title>CPU ratio ${b.cpu.toFixed(2)}×</title></circle>`,
        );
      if (b.goal !== null)
        out.push(
          `<line x1="${x}" x2="${x + bw}" y1="${y(b.goal)}" y2="${y(b.goal)}" stroke="black" stroke-width="2"/>`,
        );
    });
    out.push(`<text x="${x0 + gw / 2}" y="${H - bottom + 18}" text-anchor="middle">${esc(g.label)}</text>`);
  });
  VARIANTS.forEach((v, i) => {
    const x = left + i * 150;
    out.push(
      `<rect x="${x}" y="${H - 40}" width="14" height="14" fill="${COLORS[v]}"/>`,
      `<text x="${x + 20}" y="${H - 29}">${VARIANT_TITLES[v]}</text>`,
    );
  });
  const lx = left + VARIANTS.length * 150;
  out.push(
    `<circle cx="${lx + 7}" cy="${H - 33}" r="3.5" fill="white" stroke="#222" stroke-width="1.5"/>`,
    `<text x="${lx + 16}" y="${H - 29}">CPU-time ratio</text>`,
    `<line x1="${lx + 120}" x2="${lx + 140}" y1="${H - 33}" y2="${H - 33}" stroke="black" stroke-width="2"/>`,
    `<text x="${lx + 146}" y="${H - 29}">goal</text>`,
  );
  out.push("</svg>", "");
  return out.join("\n");
}

module.exports = { markdown, svg };
