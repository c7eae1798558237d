// The measurements: for a shape, each builder from a fresh state builds cold, again with nothing
// changed, after a touch of one copied file, and after an edit of it; then the micro rows
// (`tsbuild --version`, the cost of one `RUN true` step, export of the big context to an OCI
// archive next to `tar | pigz | sha256sum`).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { run } = require("./proc");
const { dockerfileOnly } = require("./fixtures");
const { BUILDERS, TSBUILD } = require("./builders");

const VARIANTS = ["cold", "noChange", "touch", "edit"];

/** Repetitions for a builder: Buildah, the slowest and not the one to beat, has its own count. */
function repsOf(ctx, builder) {
  return builder === "buildah" ? Math.min(ctx.buildahReps, ctx.reps) : ctx.reps;
}

/** Counts the steps a builder reports as taken from its cache (a sanity check on no-change). */
function cachedSteps(builder, output) {
  const re = { tsbuild: /CACHED/g, buildkit: /CACHED/g, buildah: /Using cache/g }[builder];
  return (output.match(re) || []).length;
}

function record(r, builder) {
  return {
    seconds: r.seconds,
    maxRssKB: r.maxRssKB,
    cpu: r.cpuSeconds,
    cached: cachedSteps(builder, r.stdout + r.stderr),
  };
}

/** One repetition of the four variants for one builder; failures are recorded, not thrown. */
async function shapeRun(ctx, builderName, fixture, out) {
  const builder = BUILDERS[builderName];
  fixture.restore();
  let state;
  const done = [];
  try {
    state = await builder.setup(ctx.work, ctx.recordDaemon);
    for (const variant of VARIANTS) {
      if (variant === "touch") fixture.touch();
      if (variant === "edit") fixture.edit();
      const r = await builder.build(state, fixture.dir, { tag: "bench:latest" });
      out[variant].push(record(r, builderName));
      done.push(`${variant} ${r.seconds.toFixed(2)}`);
    }
  } catch (err) {
    const variant = VARIANTS[done.length] || "teardown";
    out.errors.push(`${variant}: ${String(err.message).split("\n").slice(0, 12).join(" | ").slice(0, 600)}`);
    done.push(`${variant} FAILED`);
  } finally {
    if (state) await builder.teardown(state);
  }
  return done.join(", ");
}

async function measureShape(ctx, shape, fixture) {
  const result = {};
  for (const b of ctx.builders) result[b] = { cold: [], noChange: [], touch: [], edit: [], errors: [] };
  for (let rep = 0; rep < ctx.reps; rep++) {
    // Rotate the order so that no builder always runs first (page cache, machine noise).
    const order = ctx.builders
      .map((_, i) => ctx.builders[(i + rep) % ctx.builders.length])
      .filter((b) => rep < repsOf(ctx, b));
    for (const b of order) {
      const line = await shapeRun(ctx, b, fixture, result[b]);
      ctx.log(`[${shape.id}] rep ${rep + 1}/${repsOf(ctx, b)} ${b}: ${line}`);
    }
  }
  return result;
}

/** `tsbuild --version` (and Node, docker, buildah for scale), each a new process. */
async function measureVersion(ctx) {
  const n = ctx.reps === 1 ? 5 : 15;
  const cmds = {
    "tsbuild --version": [TSBUILD, ["--version"]],
    "node -e 0": [process.execPath, ["-e", "0"]],
  };
  if (ctx.builders.includes("buildkit"))
    cmds["docker --version (20.10 client)"] = ["/usr/bin/docker", ["--version"]];
  if (ctx.builders.includes("buildah")) cmds["buildah --version"] = ["/usr/bin/buildah", ["--version"]];
  const out = {};
  for (const [name, [cmd, args]] of Object.entries(cmds)) {
    await run(cmd, args); // warm the page cache
    out[name] = [];
    for (let i = 0; i < n; i++) {
      const r = await run(cmd, args, { measureRss: true, tmpDir: ctx.work });
      // CPU time too: on a shared, loaded machine it is steadier than wall time.
      out[name].push({ seconds: r.seconds, maxRssKB: r.maxRssKB, cpu: r.cpuSeconds });
    }
    ctx.log(`[version] ${name}: ${out[name].map((r) => r.seconds.toFixed(3)).join(" ")}`);
  }
  return out;
}

/**
 * Per-step cost of `RUN true`: with the base already pulled, a build of 20 new `RUN true` steps
 * minus a build of the same base with no step to run, divided by 20.
 */
async function measureRunStep(ctx, bases) {
  const STEPS = 20;
  const out = {};
  for (const b of ctx.builders) {
    const builder = BUILDERS[b];
    out[b] = { perStep: [], baseline: [], twenty: [], errors: [] };
    let state;
    try {
      state = await builder.setup(ctx.work, ctx.recordDaemon);
      const warm = dockerfileOnly(path.join(ctx.work, `runstep-warm-${b}`), [
        `FROM ${bases.busybox}`,
        "RUN true warm",
      ]);
      await builder.build(state, warm, { tag: "warm:latest" });
      for (let rep = 0; rep < repsOf(ctx, b); rep++) {
        const nonce = `${rep}-${Date.now()}`;
        const base = dockerfileOnly(path.join(ctx.work, `runstep-base-${b}-${rep}`), [
          `FROM ${bases.busybox}`,
          `LABEL nonce=${nonce}`,
        ]);
        const twenty = dockerfileOnly(path.join(ctx.work, `runstep-20-${b}-${rep}`), [
          `FROM ${bases.busybox}`,
          `LABEL nonce=${nonce}`,
          ...Array.from({ length: STEPS }, (_, i) => `RUN true ${nonce}-${i}`),
        ]);
        const t0 = await builder.build(state, base, { tag: `base${rep}:latest` });
        const t20 = await builder.build(state, twenty, { tag: `twenty${rep}:latest` });
        out[b].baseline.push(t0.seconds);
        out[b].twenty.push(t20.seconds);
        out[b].perStep.push((t20.seconds - t0.seconds) / STEPS);
      }
      ctx.log(
        `[runstep] ${b}: ${out[b].perStep.map((s) => (s * 1000).toFixed(0) + " ms").join(" ")} per step`,
      );
    } catch (err) {
      out[b].errors.push(String(err.message).split("\n").slice(0, 8).join(" | ").slice(0, 500));
      ctx.log(`[runstep] ${b}: FAILED ${out[b].errors[0]}`);
    } finally {
      if (state) await builder.teardown(state);
    }
  }
  return out;
}

/**
 * Export of the big context's image to an OCI archive. tsbuild: a no-change rebuild with
 * `-o type=oci,dest=…` minus the same rebuild without it; each repetition starts from a fresh
 * cache (built once, untimed), so the timed export is the image's first, the one that compresses
 * its layers (compression is lazy), and a second export shows what the cached compressed blobs
 * leave. Buildah: `buildah push … oci-archive:` of the built image. dockerd 20.10's builder has
 * no OCI exporter. Reference: `tar -c <kept files> | pigz -6 | sha256sum`.
 */
async function measureExport(ctx, fixture) {
  fixture.restore();
  const out = { reference: [], errors: [] };
  const excludes = fixture.keptExcludes.map((p) => `--exclude='${p}'`).join(" ");
  const refCmd = `set -o pipefail; tar -c -C '${fixture.dir}' ${excludes} ${fixture.kept.join(" ")} | pigz -6 | sha256sum`;
  await run("bash", ["-c", `tar -c -C '${fixture.dir}' . > /dev/null`]); // warm the page cache
  for (let rep = 0; rep < ctx.reps; rep++) out.reference.push((await run("bash", ["-c", refCmd])).seconds);
  ctx.log(`[export] tar | pigz -6 | sha256sum: ${out.reference.map((s) => s.toFixed(2)).join(" ")}`);

  if (ctx.builders.includes("tsbuild")) {
    const ts = BUILDERS.tsbuild;
    out.tsbuild = { rebuild: [], withExport: [], export: [], again: [], maxRssKB: [] };
    for (let rep = 0; rep < ctx.reps && out.errors.length === 0; rep++) {
      const state = await ts.setup(ctx.work);
      try {
        await ts.build(state, fixture.dir);
        const dest = path.join(state.dir, `export-${rep}.tar`);
        const plain = await ts.build(state, fixture.dir);
        const exp = await ts.build(state, fixture.dir, { output: `type=oci,dest=${dest}` });
        out.tsbuild.rebuild.push(plain.seconds);
        out.tsbuild.withExport.push(exp.seconds);
        out.tsbuild.export.push(exp.seconds - plain.seconds);
        out.tsbuild.maxRssKB.push(exp.maxRssKB);
        if (rep === 0) {
          out.tsbuild.archiveBytes = fs.statSync(dest).size;
          await run("/usr/bin/skopeo", ["inspect", `oci-archive:${dest}`]); // a valid archive
        }
        fs.rmSync(dest, { force: true });
        const again = await ts.build(state, fixture.dir, { output: `type=oci,dest=${dest}` });
        out.tsbuild.again.push(again.seconds - plain.seconds);
        fs.rmSync(dest, { force: true });
      } catch (err) {
        out.errors.push(`tsbuild: ${String(err.message).slice(0, 500)}`);
      } finally {
        await ts.teardown(state);
      }
    }
    ctx.log(
      `[export] tsbuild first: ${out.tsbuild.export.map((s) => s.toFixed(2)).join(" ")}; again: ${out.tsbuild.again.map((s) => s.toFixed(2)).join(" ")}`,
    );
  }
  if (ctx.builders.includes("buildah")) {
    const bh = BUILDERS.buildah;
    out.buildah = { export: [], maxRssKB: [] };
    const state = await bh.setup(ctx.work);
    try {
      await bh.build(state, fixture.dir, { tag: "bench:latest" });
      for (let rep = 0; rep < repsOf(ctx, "buildah"); rep++) {
        const dest = path.join(state.dir, `export-${rep}.tar`);
        const r = await bh.exportOci(state, "bench:latest", dest);
        out.buildah.export.push(r.seconds);
        out.buildah.maxRssKB.push(r.maxRssKB);
        fs.rmSync(dest, { force: true });
      }
      ctx.log(`[export] buildah push oci-archive: ${out.buildah.export.map((s) => s.toFixed(2)).join(" ")}`);
    } catch (err) {
      out.errors.push(`buildah: ${String(err.message).slice(0, 500)}`);
    } finally {
      await bh.teardown(state);
    }
  }
  return out;
}

module.exports = { VARIANTS, measureExport, measureRunStep, measureShape, measureVersion };
