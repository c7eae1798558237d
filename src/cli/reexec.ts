/**
 * Rootless CLI runs: before any command touches the cache or runs a step, a non-root `tsbuild`
 * re-runs itself inside a user namespace (src/executor/isolation.ts) and mirrors the child's
 * exit status. stdio is inherited (stdin contexts, stdout tars), SIGINT/SIGTERM are forwarded,
 * and the child dies with the parent (pdeathsig), so nothing outlives a killed tsbuild.
 */
import { isolationPrefix, USERNS_OWNER_ENV, type Isolation } from "../executor/isolation";
import { findOnHostPath } from "../executor/runtime";
import { parseIsolation } from "./run-flags";
import { childProcess } from "../lazy-builtins";

/** Commands that never touch a root filesystem or the cache: no namespace needed. */
const LIGHT = new Set(["parse", "login", "logout", "completion"]);

/** The --isolation value of an argv (or $TSBUILD_ISOLATION), "auto" by default. */
export function isolationOf(argv: readonly string[], env: NodeJS.ProcessEnv): Isolation {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--isolation") return parseIsolation(argv[i + 1]);
    if (a.startsWith("--isolation=")) return parseIsolation(a.slice("--isolation=".length));
  }
  return parseIsolation(env.TSBUILD_ISOLATION ?? "auto");
}

/**
 * Runs this CLI again inside a user namespace when `argv` needs one; resolves to its exit status,
 * or null when this process should run the command itself.
 */
export async function maybeReexec(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  if (argv.some((a) => a === "--help" || a === "-h" || a === "--version" || a === "--get-yargs-completions"))
    return null;
  const first = argv.find((a) => !a.startsWith("-"));
  if (first !== undefined && LIGHT.has(first)) return null;
  const plan = isolationPrefix(isolationOf(argv, env));
  if (plan === null) return null;
  const setpriv = findOnHostPath("setpriv");
  const prefix = setpriv !== undefined ? [setpriv, "--pdeathsig", "KILL", "--", ...plan.prefix] : plan.prefix;
  const [cmd, ...rest] = [...prefix, process.execPath, ...process.execArgv, process.argv[1], ...argv];
  const child = childProcess().spawn(cmd, rest, {
    stdio: "inherit",
    env: { ...env, [USERNS_OWNER_ENV]: String(process.getuid?.() ?? "") },
  });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? (signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : 1));
    });
  });
}
