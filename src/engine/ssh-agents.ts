/**
 * `--ssh` and `RUN --mount=type=ssh`, as buildx does them: each id is an SSH agent — a running
 * one (its socket, `--ssh default` = $SSH_AUTH_SOCK) or one tsbuild starts for the private keys
 * given (`--ssh id=~/.ssh/id_ed25519`, OpenSSH's own ssh-agent and ssh-add). A RUN step gets a
 * socket of its own in its temp dir, owned and moded as the mount asks, that forwards each
 * connection to the agent; keys never leave the agent, and nothing is written to a layer.
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findOnHostPath, HOST_PATH } from "../executor/runtime";
import { BuildError } from "./errors";
import { errorMessage } from "../errors";
import { isRecord } from "../guards";
import { childProcess, execFileAsync, net } from "../lazy-builtins";

/** One `--ssh` value: an id and the agent sockets or private key files behind it. */
export interface SshSpec {
  id: string;
  paths: string[];
}

/** A socket forwarding to an agent, for one step; `close()` when the step ends. */
export interface SshSocket {
  path: string;
  close(): Promise<void>;
}

export class SshAgents {
  private readonly agents = new Map<string, Promise<string>>();
  private readonly started: Array<{ child: ChildProcess; dir: string }> = [];

  constructor(private readonly specs: readonly SshSpec[]) {}

  has(id: string): boolean {
    return this.specs.some((s) => s.id === id);
  }

  /** A socket at `file` forwarding to agent `id`, with the mount's owner and mode. */
  async socket(
    id: string,
    file: string,
    owner: { uid: number; gid: number; mode: number },
  ): Promise<SshSocket> {
    const agent = await this.agent(id);
    const server = net().createServer((conn) => {
      const upstream = net().connect(agent);
      conn.pipe(upstream).pipe(conn);
      const end = (): void => {
        conn.destroy();
        upstream.destroy();
      };
      conn.on("error", end);
      upstream.on("error", end);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(file, () => resolve());
    });
    await fs.promises.chown(file, owner.uid, owner.gid);
    await fs.promises.chmod(file, owner.mode);
    return {
      path: file,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
        }),
    };
  }

  /** Stops the agents tsbuild started. */
  async close(): Promise<void> {
    for (const { child, dir } of this.started.splice(0)) {
      child.kill("SIGTERM");
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  }

  private agent(id: string): Promise<string> {
    let p = this.agents.get(id);
    if (p === undefined) {
      p = this.resolve(id);
      this.agents.set(id, p);
    }
    return p;
  }

  private async resolve(id: string): Promise<string> {
    const spec = this.specs.find((s) => s.id === id);
    if (spec === undefined)
      throw new BuildError("SSH_MISSING", `no SSH agent or key "${id}" forwarded (--ssh ${id}=...)`);
    const sockets: string[] = [];
    const keys: string[] = [];
    for (const p of spec.paths) {
      let st: fs.Stats;
      try {
        st = await fs.promises.stat(p);
      } catch (err) {
        throw new BuildError("SSH_UNREADABLE", `--ssh ${id}: ${p}: ${errorMessage(err)}`);
      }
      (st.isSocket() ? sockets : keys).push(p);
    }
    if (sockets.length > 0 && keys.length === 0) return sockets[0];
    return this.startAgent(id, keys);
  }

  private async startAgent(id: string, keys: string[]): Promise<string> {
    const agentBin = findOnHostPath("ssh-agent");
    const addBin = findOnHostPath("ssh-add");
    if (agentBin === undefined || addBin === undefined) {
      throw new BuildError(
        "SSH_UNSUPPORTED",
        `--ssh ${id}: ssh-agent/ssh-add not found (apt-get install openssh-client)`,
      );
    }
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "tsbuild-ssh-"));
    const sock = path.join(dir, "agent.sock");
    const child = childProcess().spawn(agentBin, ["-D", "-a", sock], {
      stdio: "ignore",
      env: { PATH: HOST_PATH },
    });
    this.started.push({ child, dir });
    for (let i = 0; i < 100 && !fs.existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
    for (const key of keys) {
      try {
        await execFileAsync(addBin, [key], {
          env: { PATH: HOST_PATH, SSH_AUTH_SOCK: sock },
          timeout: 10_000,
        });
      } catch (err) {
        const stderr = isRecord(err) && typeof err["stderr"] === "string" ? err["stderr"].trim() : "";
        throw new BuildError("SSH_UNREADABLE", `--ssh ${id}: add key ${key}: ${stderr || errorMessage(err)}`);
      }
    }
    return sock;
  }
}

/** `--ssh default`, `--ssh default=$SSH_AUTH_SOCK`, `--ssh id=key1,key2` (buildx syntax). */
export function parseSshSpec(text: string, env: NodeJS.ProcessEnv): SshSpec {
  const eq = text.indexOf("=");
  const id = eq < 0 ? text : text.slice(0, eq);
  const paths =
    eq < 0
      ? []
      : text
          .slice(eq + 1)
          .split(",")
          .filter((p) => p !== "");
  if (id === "") throw new BuildError("SSH_BAD_SPEC", `--ssh ${text}: the id is empty`);
  if (paths.length === 0) {
    const sock = env.SSH_AUTH_SOCK;
    if (sock === undefined || sock === "") {
      throw new BuildError("SSH_BAD_SPEC", `--ssh ${text}: no paths given and SSH_AUTH_SOCK is not set`);
    }
    paths.push(sock);
  }
  return { id, paths };
}
