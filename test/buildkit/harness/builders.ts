import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "../../../src";
import type { BuildkitCase } from "./case";
import { dockerfilePath } from "./context";
import { DOCKER_CLIENT } from "./dockerd";
import { tarOf } from "./tar-fixture";

/** What one builder made of a case: an image archive, or the error text. */
export type BuildOutcome = { ok: true; archive: string } | { ok: false; error: string };

function secretFiles(c: BuildkitCase, dir: string): { id: string; src: string }[] {
  return Object.entries(c.secrets ?? {}).map(([id, value]) => {
    const src = path.join(dir, `secret-${id}`);
    fs.writeFileSync(src, value, { mode: 0o600 });
    return { id, src };
  });
}

/** Builds a case's prebuild context with tsbuild and pushes it as `ref`; returns the error text on failure. */
export async function prebuildWithTsbuild(
  contextDir: string,
  ref: string,
  cacheDir: string,
): Promise<string | undefined> {
  try {
    await build({
      context: contextDir,
      outputs: [{ type: "registry", names: [ref] }],
      compression: "gzip",
      cacheDir,
    });
    return undefined;
  } catch (err) {
    return `prebuild: ${(err as Error).name}: ${(err as Error).message}`;
  }
}

/** Builds a case's prebuild context with dockerd and pushes it as `ref`. */
export async function prebuildWithDockerd(
  contextDir: string,
  ref: string,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const built = await run(
    DOCKER_CLIENT,
    ["build", "--network", "host", "--progress", "plain", "-t", ref, contextDir],
    env,
    300_000,
  );
  if (built.code !== 0) return `prebuild: ${built.out.split("\n").slice(-20).join("\n")}`;
  const pushed = await run(DOCKER_CLIENT, ["push", ref], env, 120_000);
  return pushed.code === 0 ? undefined : `prebuild push: ${pushed.out}`;
}

/** Builds with tsbuild's in-process API into an OCI archive (gzip layers) at `outDir/tsbuild.tar`. */
export async function buildWithTsbuild(
  c: BuildkitCase,
  contextDir: string,
  outDir: string,
  cacheDir: string,
): Promise<BuildOutcome> {
  const archive = path.join(outDir, "tsbuild.tar");
  const envSecrets = Object.entries(c.envSecrets ?? {});
  const env = { ...process.env };
  for (const [, s] of envSecrets) env[s.env] = s.value;
  const file = dockerfilePath(c, contextDir);
  try {
    await build({
      context: contextDir,
      ...(file !== undefined ? { dockerfile: file } : {}),
      ...(c.buildArgs ? { buildArgs: c.buildArgs } : {}),
      ...(c.target ? { target: c.target } : {}),
      ...(c.labels ? { labels: c.labels } : {}),
      ...(c.platform ? { platform: c.platform } : {}),
      secrets: [...secretFiles(c, outDir), ...envSecrets.map(([id, s]) => ({ id, env: s.env }))],
      outputs: [{ type: "oci", dest: archive, tar: true }],
      compression: "gzip",
      cacheDir,
      env,
    });
    return { ok: true, archive };
  } catch (err) {
    const e = err as Error;
    const cause = e.cause instanceof Error ? `\ncaused by: ${e.cause.message}` : "";
    return { ok: false, error: `${e.name}: ${e.message}${cause}` };
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** Builds with dockerd 20.10's BuildKit (`docker build`), then `docker save`s the image. */
export async function buildWithDockerd(
  c: BuildkitCase,
  contextDir: string,
  outDir: string,
  env: NodeJS.ProcessEnv,
): Promise<BuildOutcome> {
  const tag = `tsbuild-suite/${c.name.toLowerCase()}${c.variant ? "-" + slug(c.variant) : ""}:latest`;
  const args = ["build", "--network", "host", "--progress", "plain", "-t", tag];
  const file = dockerfilePath(c, contextDir);
  if (file !== undefined) args.push("-f", file);
  for (const [k, v] of Object.entries(c.buildArgs ?? {})) args.push("--build-arg", `${k}=${v}`);
  if (c.target) args.push("--target", c.target);
  for (const [k, v] of Object.entries(c.labels ?? {})) args.push("--label", `${k}=${v}`);
  if (c.platform) args.push("--platform", c.platform);
  for (const s of secretFiles(c, outDir)) args.push("--secret", `id=${s.id},src=${s.src}`);
  const buildEnv = { ...env };
  for (const [id, s] of Object.entries(c.envSecrets ?? {})) {
    buildEnv[s.env] = s.value;
    args.push("--secret", `id=${id},env=${s.env}`);
  }
  args.push(contextDir);
  const built = await run(DOCKER_CLIENT, args, buildEnv, 300_000);
  if (built.code !== 0) return { ok: false, error: built.out.split("\n").slice(-25).join("\n") };
  const archive = path.join(outDir, "buildkit.tar");
  const saved = await run(DOCKER_CLIENT, ["save", "-o", archive, tag], env, 120_000);
  if (saved.code !== 0 && saved.out.includes("empty export")) {
    // dockerd cannot save an image without layers: write the one-config archive from its image store.
    const id = await run(DOCKER_CLIENT, ["image", "inspect", "--format", "{{.Id}}", tag], env, 60_000);
    const dataRoot = env.TSBUILD_BK_DOCKER_DATA_ROOT;
    if (id.code !== 0 || !dataRoot) return { ok: false, error: `docker save failed: ${saved.out}` };
    const hex = id.out.trim().replace(/^sha256:/, "");
    const config = fs.readFileSync(
      path.join(dataRoot, "image", "overlay2", "imagedb", "content", "sha256", hex),
    );
    writeConfigOnlyArchive(archive, config);
  } else if (saved.code !== 0) return { ok: false, error: `docker save failed: ${saved.out}` };
  await run(DOCKER_CLIENT, ["rmi", tag], env, 60_000);
  return { ok: true, archive };
}

/** A `docker save`-shaped archive holding only a config (manifest.json + <id>.json, no layers). */
function writeConfigOnlyArchive(file: string, config: Buffer): void {
  const manifest = Buffer.from(JSON.stringify([{ Config: "config.json", RepoTags: [], Layers: [] }]));
  fs.writeFileSync(
    file,
    tarOf([
      { name: "manifest.json", content: manifest.toString() },
      { name: "config.json", content: config.toString() },
    ]),
  );
}

export function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40);
}
