import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { resolveInDirectory } from "../rootfs/dir-resolver";
import { flattenLayers } from "../rootfs/flatten";
import * as os from "node:os";
import type { ProcessLimit, RunMount } from "../executor/run-spec";
import type { CacheMounts } from "../cache/cache-mounts";
import type { SshAgents } from "./ssh-agents";
import type { PlannedMount, RunStep } from "../planner/plan";
import type { BuildSecret } from "./build-options";
import { BuildError } from "./errors";
import type { StepInputs } from "./step-executor";
import { errorMessage } from "../errors";

/** What turning planned mounts into executor mounts needs besides the step. */
export interface MountSources {
  /** `<cache>/mounts`: persistent RUN --mount=type=cache directories, one per id. */
  cacheMounts: CacheMounts;
  secrets: readonly BuildSecret[];
  env: NodeJS.ProcessEnv;
  /** `--ssh` agents for RUN --mount=type=ssh. */
  ssh: SshAgents;
  /** Fills a cache mount this machine lacks from `--cache-from` before its first use. */
  restoreCacheMount?: (
    id: string,
    owner: { mode?: number | undefined; uid?: number | undefined; gid?: number | undefined },
  ) => Promise<void>;
}

/** A step's executor mounts, the environment they add, and what to undo after the step. */
export interface StepMounts {
  mounts: RunMount[];
  /** "SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0" when an ssh mount is present; secrets with env=. */
  env: string[];
  release(): Promise<void>;
}

/** How RUN containers are run (from the build's options). */
export interface RunSettings {
  runtime?: string | undefined;
  pidsLimit?: number | undefined;
  ulimits?: readonly ProcessLimit[] | undefined;
  /** `--network`: what a RUN without `--network=` gets. */
  networkMode?: "default" | "none" | "host" | undefined;
  /** `--add-host`. */
  extraHosts?: readonly { host: string; ip: string }[] | undefined;
  /** `--shm-size` in bytes. */
  shmSizeBytes?: number | undefined;
}

/**
 * RUN --mount specs → executor mounts. Binds from the context are the context's host paths
 * (read-only unless rw, and then writes go to a throw-away overlay); binds from a stage or image
 * are that filesystem flattened into the step's temp dir; caches are directories under the cache
 * dir keyed by id; secrets are read now, only for this step, and never written anywhere else.
 */
export async function runMounts(
  step: RunStep,
  inputs: StepInputs,
  sources: MountSources,
): Promise<StepMounts> {
  const out: RunMount[] = [];
  const env: string[] = [];
  const releases: Array<() => Promise<void>> = [];
  const release = async (): Promise<void> => {
    for (const r of releases.splice(0).reverse()) await r();
  };
  try {
    for (const [i, m] of step.mounts.entries()) {
      if (m.type === "ssh") {
        const mount = await sshMount(m, step, sources, releases);
        if (mount === undefined) continue;
        if (!env.some((e) => e.startsWith("SSH_AUTH_SOCK="))) env.push(`SSH_AUTH_SOCK=${mount.target}`);
        out.push(mount);
        continue;
      }
      if (m.type === "secret" && m.env !== undefined) {
        const value = await secretFor(m, step, sources);
        if (value === undefined) continue;
        // The variable reaches only this process; never the image, the key or the history.
        env.push(`${m.env}=${value.toString("utf8")}`);
        if (m.envOnly === true) continue;
      }
      const mount = await runMount(m, i, step, inputs, sources);
      if (mount) out.push(mount);
    }
  } catch (err) {
    await release();
    throw err;
  }
  for (const [i, f] of step.heredocFiles.entries()) {
    const file = path.join(inputs.tmpDir, `heredoc-${i}`);
    await fsp.writeFile(file, f.content, { mode: f.mode });
    out.push({ type: "bind", target: f.path, source: file, readonly: true });
  }
  return { mounts: out, env, release };
}

/**
 * An ssh mount: a socket of the step's own forwarding to the agent (unix socket paths are
 * limited to 108 bytes, so it lives in a short temp dir, not the step's). Not given and not
 * required: no mount, as BuildKit does.
 */
async function sshMount(
  m: PlannedMount,
  step: RunStep,
  sources: MountSources,
  releases: Array<() => Promise<void>>,
): Promise<RunMount | undefined> {
  const id = m.id ?? "default";
  if (!sources.ssh.has(id)) {
    if (m.required === true) {
      throw new BuildError(
        "SSH_MISSING",
        `${step.display}: no SSH agent or key "${id}" forwarded (build with --ssh ${id})`,
      );
    }
    return undefined;
  }
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "tsbuild-ssh-"));
  releases.push(() => fsp.rm(dir, { recursive: true, force: true }));
  const socket = await sources.ssh.socket(id, path.join(dir, "s"), {
    uid: m.uid ?? 0,
    gid: m.gid ?? 0,
    mode: m.mode ?? 0o600,
  });
  releases.push(() => socket.close());
  return { type: "bind", target: m.target, source: socket.path, readonly: true };
}

async function runMount(
  m: PlannedMount,
  i: number,
  step: RunStep,
  inputs: StepInputs,
  sources: MountSources,
): Promise<RunMount | undefined> {
  switch (m.type) {
    case "bind":
      return {
        type: "bind",
        target: m.target,
        source: await bindSource(m, i, step, inputs),
        readonly: m.readOnly,
      };
    case "cache": {
      if (m.from !== undefined && m.from.kind !== "context") {
        throw new BuildError(
          "MOUNT_UNSUPPORTED",
          `${step.display}: cache mounts seeded from a stage are not supported yet`,
        );
      }
      const owner = { mode: m.mode, uid: m.uid, gid: m.gid };
      await sources.restoreCacheMount?.(m.id ?? m.target, owner);
      const dir = await sources.cacheMounts.checkout(m.id ?? m.target, owner);
      return {
        type: "cache",
        target: m.target,
        source: dir,
        sharing: m.sharing ?? "shared",
        readonly: m.readOnly,
      };
    }
    case "tmpfs":
      return { type: "tmpfs", target: m.target, ...(m.size !== undefined ? { sizeBytes: m.size } : {}) };
    case "secret": {
      const id = m.id ?? path.basename(m.target);
      const content = await secretFor(m, step, sources);
      if (content === undefined) return undefined;
      return {
        type: "secret",
        id,
        content,
        target: m.target,
        ...(m.mode !== undefined ? { mode: m.mode } : {}),
        ...(m.uid !== undefined ? { uid: m.uid } : {}),
        ...(m.gid !== undefined ? { gid: m.gid } : {}),
      };
    }
    case "ssh":
      return undefined; // handled by sshMount
  }
}

async function bindSource(m: PlannedMount, i: number, step: RunStep, inputs: StepInputs): Promise<string> {
  const rel = path.posix.normalize(`/${m.source ?? "."}`).slice(1);
  if (m.from === undefined || m.from.kind === "context")
    return contextTree(rel === "" ? "." : rel, i, inputs);
  const layers =
    m.from.kind === "stage" ? await inputs.stageLayers(m.from.stage) : await inputs.imageLayers(m.from.ref);
  const root = path.join(inputs.tmpDir, `mount-${i}`);
  await flattenLayers(layers, root);
  // Symlinks in the source are followed inside the mounted filesystem, never on the host.
  const resolved = resolveInDirectory(root, m.source ?? "/");
  if (resolved.kind === undefined) {
    throw new BuildError(
      "MOUNT_SOURCE_NOT_FOUND",
      `${step.display}: bind source ${m.source ?? "/"} not found in ${m.from.kind === "stage" ? "the stage" : "the image"}`,
    );
  }
  return resolved.host;
}

/**
 * What a bind from the context shows: exactly the files the .dockerignore rules let through (the
 * ones the step's key fingerprinted), hard-linked (or copied across filesystems) into the step's
 * temp dir — never the raw context directory, which would expose ignored files.
 */
async function contextTree(source: string, i: number, inputs: StepInputs): Promise<string> {
  const sources = inputs.context.resolveSources([source]);
  const root = path.join(inputs.tmpDir, `mount-${i}`);
  const single = sources.length === 1 && sources[0].kind === "entry";
  const base = single ? path.join(root, "entry") : path.join(root, "tree");
  await fsp.mkdir(single ? root : base, { recursive: true });
  for (const f of await inputs.context.files(sources)) {
    const dest = single ? base : path.join(base, f.path);
    switch (f.type) {
      case "directory":
        await fsp.mkdir(dest, { recursive: true, mode: f.mode });
        await fsp.chmod(dest, f.mode);
        break;
      case "file":
        await fsp.mkdir(path.dirname(dest), { recursive: true });
        await fsp.link(f.hostPath, dest).catch(() => fsp.copyFile(f.hostPath, dest));
        break;
      case "symlink":
        await fsp.mkdir(path.dirname(dest), { recursive: true });
        await fsp.symlink(f.linkTarget ?? "", dest);
        break;
      default:
        break; // fifos and devices are not bound into RUN steps
    }
  }
  return base;
}

/** The secret a mount names; undefined when not given and not required (BuildKit skips it). */
async function secretFor(m: PlannedMount, step: RunStep, sources: MountSources): Promise<Buffer | undefined> {
  const id = m.id ?? path.basename(m.target);
  const content = await secretContent(id, sources);
  if (content === undefined && m.required === true)
    throw new BuildError(
      "SECRET_MISSING",
      // BuildKit's wording ("secret X: not found"), then how to give it.
      `${step.display}: secret ${id}: not found (required; give it with --secret id=${id},src=... or env=...)`,
    );
  return content;
}

async function secretContent(id: string, sources: MountSources): Promise<Buffer | undefined> {
  const secret = sources.secrets.find((s) => s.id === id);
  if (!secret) return undefined;
  if ("env" in secret) {
    const value = sources.env[secret.env];
    return value === undefined ? undefined : Buffer.from(value);
  }
  try {
    return await fsp.readFile(secret.src);
  } catch (err) {
    throw new BuildError("SECRET_UNREADABLE", `read secret "${id}" from ${secret.src}: ${errorMessage(err)}`);
  }
}
