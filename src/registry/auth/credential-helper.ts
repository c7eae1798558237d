import { RegistryError } from "../errors";
import type { Credentials } from "./credentials";
import { isRecord } from "../../guards";
import { childProcess } from "../../lazy-builtins";

/**
 * The docker-credential-helpers protocol: `docker-credential-<name> <get|store|erase>` with the
 * request on stdin and JSON on stdout. "get" answers {ServerURL, Username, Secret}; a Username of
 * "<token>" means Secret is an identity token. Helper output is never included in errors for "get"
 * (it may hold the secret).
 */
const TOKEN_USERNAME = "<token>";
const NOT_FOUND = /credentials not found/i;
const HELPER_TIMEOUT_MS = 30_000;

function runHelper(
  name: string,
  action: string,
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const program = `docker-credential-${name}`;
  return new Promise((resolve, reject) => {
    const child = childProcess().spawn(program, [action], {
      env: process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    // Our own timer (spawn's `timeout` leaves one armed when the program does not exist).
    const timer = setTimeout(() => child.kill("SIGKILL"), HELPER_TIMEOUT_MS);
    const stop = (): void => clearTimeout(timer);
    child.on("close", stop);
    child.on("error", stop);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (err: NodeJS.ErrnoException) => {
      reject(
        new RegistryError(
          "REGISTRY_CREDENTIALS",
          `run credential helper ${program} ${action}: ${err.code === "ENOENT" ? "not found on PATH" : err.message}`,
          { cause: err },
        ),
      );
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.on("error", () => undefined); // a helper that exits without reading stdin
    child.stdin.end(input);
  });
}

/** Credentials the helper holds for `serverUrl`, or undefined when it has none. */
export async function helperGet(name: string, serverUrl: string): Promise<Credentials | undefined> {
  const { code, stdout } = await runHelper(name, "get", serverUrl);
  if (code !== 0) {
    if (NOT_FOUND.test(stdout)) return undefined;
    throw new RegistryError(
      "REGISTRY_CREDENTIALS",
      `get credentials for ${serverUrl} from docker-credential-${name}: exit status ${code}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new RegistryError(
      "REGISTRY_CREDENTIALS",
      `get credentials for ${serverUrl} from docker-credential-${name}: output is not JSON`,
    );
  }
  if (!isRecord(parsed) || typeof parsed.Username !== "string" || typeof parsed.Secret !== "string") {
    throw new RegistryError(
      "REGISTRY_CREDENTIALS",
      `get credentials for ${serverUrl} from docker-credential-${name}: missing Username or Secret`,
    );
  }
  if (parsed.Username === TOKEN_USERNAME) return { identityToken: parsed.Secret };
  return { username: parsed.Username, password: parsed.Secret };
}

export async function helperStore(name: string, serverUrl: string, creds: Credentials): Promise<void> {
  const body =
    "username" in creds
      ? { ServerURL: serverUrl, Username: creds.username, Secret: creds.password }
      : { ServerURL: serverUrl, Username: TOKEN_USERNAME, Secret: creds.identityToken };
  const { code, stdout, stderr } = await runHelper(name, "store", JSON.stringify(body));
  if (code !== 0) {
    const why = (stdout || stderr).trim().slice(0, 200);
    throw new RegistryError(
      "REGISTRY_CREDENTIALS",
      `store credentials for ${serverUrl} with docker-credential-${name}: exit status ${code}${why ? `: ${why}` : ""}`,
    );
  }
}

/** Removes the helper's credentials for `serverUrl`; absent credentials are not an error. */
export async function helperErase(name: string, serverUrl: string): Promise<void> {
  const { code, stdout, stderr } = await runHelper(name, "erase", serverUrl);
  if (code !== 0 && !NOT_FOUND.test(stdout + stderr)) {
    const why = (stdout || stderr).trim().slice(0, 200);
    throw new RegistryError(
      "REGISTRY_CREDENTIALS",
      `erase credentials for ${serverUrl} with docker-credential-${name}: exit status ${code}${why ? `: ${why}` : ""}`,
    );
  }
}
