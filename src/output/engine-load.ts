import * as fs from "node:fs";
import type { Image } from "../image/image";
import { errorMessage } from "../errors";
import { OutputError } from "./errors";
import { dockerArchiveFiles } from "./docker-archive";
import { writeArchiveTar } from "./archive-file";
import { childProcess } from "../lazy-builtins";

export type LoadEngineName = "podman" | "docker";

/** `podman load` / `docker load` failed, or no such engine is installed. */
export class EngineLoadError extends OutputError {
  constructor(message: string, cause?: unknown) {
    super("ENGINE_LOAD", message, { cause });
  }
}

/**
 * The engine `--load` hands images to: `$TSBUILD_LOAD` (podman, docker, or none), else docker
 * when its daemon is reachable (DOCKER_HOST set, or /var/run/docker.sock exists) and its client
 * is installed, else podman when installed, else none (the image stays in tsbuild's store).
 */
export function selectLoadEngine(env: NodeJS.ProcessEnv): LoadEngineName | "none" {
  const chosen = env.TSBUILD_LOAD;
  if (chosen !== undefined && chosen !== "") {
    if (chosen === "podman" || chosen === "docker" || chosen === "none") return chosen;
    throw new EngineLoadError(`TSBUILD_LOAD: "${chosen}" is not podman, docker or none`);
  }
  const daemon = (env.DOCKER_HOST ?? "") !== "" || fs.existsSync("/var/run/docker.sock");
  if (daemon && installed("docker", env)) return "docker";
  if (installed("podman", env)) return "podman";
  return "none";
}

function installed(command: string, env: NodeJS.ProcessEnv): boolean {
  return childProcess().spawnSync(command, ["--version"], { env, stdio: "ignore" }).status === 0;
}

/**
 * Streams `image` as a Docker archive (named by `tags`) into `<engine> load` — what
 * `docker buildx build --load` does — and resolves with the engine's own report
 * ("Loaded image: localhost/app:1"). The engine's env is `env` (CONTAINERS_CONF, DOCKER_HOST...).
 */
export async function loadIntoEngine(
  image: Image,
  engine: LoadEngineName,
  tags: readonly string[],
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): Promise<string> {
  const files = await dockerArchiveFiles(image, { tags: [...tags] });
  const child = childProcess().spawn(engine, ["load"], {
    env,
    stdio: ["pipe", "pipe", "pipe"],
    ...(signal ? { signal } : {}),
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (out += c.toString("utf8")));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code));
  });
  let writeError: unknown;
  try {
    await writeArchiveTar(files, child.stdin);
  } catch (err) {
    // The engine closing its stdin early is reported by its exit status below.
    writeError = err;
    child.stdin.destroy();
  }
  let code: number | null;
  try {
    code = await exited;
  } catch (err) {
    throw new EngineLoadError(`run ${engine} load: ${errorMessage(err)}`, err);
  }
  if (code !== 0) {
    throw new EngineLoadError(`${engine} load exited with ${code ?? "a signal"}: ${out.trim()}`, writeError);
  }
  if (writeError !== undefined)
    throw new EngineLoadError(
      `stream the image into ${engine} load: ${errorMessage(writeError)}`,
      writeError,
    );
  return out.trim();
}
