/**
 * build() for a non-root caller: a Node process cannot move itself into a user namespace (it
 * is multi-threaded), so the engine runs in a child started inside one (see
 * ../executor/isolation.ts) and this side relays options, events, abort and the outcome. The
 * child dies with this process (pdeathsig); the API is the same as an in-process build's.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { USERNS_OWNER_ENV, type UserNamespacePlan } from "../executor/isolation";
import { findOnHostPath } from "../executor/runtime";
import type { BuildOptions, BuildResult } from "./build-options";
import { BuildError } from "./errors";
import { deserializeError, type ParentMessage, type WorkerMessage } from "./userns-protocol";
import { childProcess } from "../lazy-builtins";

/**
 * The compiled worker: next to this module in dist/engine/, or dist/engine/ seen from the CLI
 * bundle in dist/cli/; src/ runs under ts-jest use the one `npm run build` wrote to dist/.
 */
function workerPath(): string {
  const candidates = [
    path.join(__dirname, "userns-worker.js"),
    path.join(__dirname, "..", "engine", "userns-worker.js"),
  ];
  return (
    candidates.find((c) => fs.existsSync(c)) ?? path.resolve(__dirname, "../../dist/engine/userns-worker.js")
  );
}

export async function buildInUserNamespace(
  options: BuildOptions,
  plan: UserNamespacePlan,
): Promise<BuildResult> {
  const worker = workerPath();
  if (!fs.existsSync(worker)) {
    throw new BuildError("USERNS_WORKER_MISSING", `rootless build: ${worker} is missing (run npm run build)`);
  }
  const setpriv = findOnHostPath("setpriv");
  const prefix = setpriv !== undefined ? [setpriv, "--pdeathsig", "KILL", "--", ...plan.prefix] : plan.prefix;
  const [cmd, ...args] = [...prefix, process.execPath, worker];
  const env = { ...(options.env ?? process.env), [USERNS_OWNER_ENV]: String(process.getuid?.() ?? "") };
  const child = childProcess().spawn(cmd, args, { stdio: ["ignore", "inherit", "inherit", "ipc"], env });
  const { signal, onEvent, ...wire } = options;
  const send = (m: ParentMessage): void => {
    if (child.connected) child.send(m);
  };
  const onAbort = (): void => send({ type: "abort" });
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await new Promise<BuildResult>((resolve, reject) => {
      let settled = false;
      child.on("message", (m: WorkerMessage) => {
        if (m.type === "event") onEvent?.(m.event);
        else if (m.type === "result") {
          settled = true;
          resolve(m.result);
        } else {
          settled = true;
          reject(deserializeError(m.error));
        }
      });
      child.on("error", reject);
      child.on("exit", (code, sig) => {
        if (!settled) {
          reject(
            new BuildError(
              "USERNS_WORKER_FAILED",
              `rootless build: the engine exited (${sig ?? `code ${code}`})`,
            ),
          );
        }
      });
      send({ type: "build", options: wire });
      if (signal?.aborted === true) onAbort();
    });
  } finally {
    signal?.removeEventListener("abort", onAbort);
    child.disconnect?.();
  }
}
