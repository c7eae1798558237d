import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { BuildkitCase } from "./case";

/** What `{{busybox}}` (the base image reference) and `{{http}}` (the case's URL prefix) stand for. */
export interface Placeholders {
  busybox: string;
  /** The suite registry's "127.0.0.1:PORT" (`{{registry}}`), for FROM lines that build the name from ARGs. */
  registry?: string;
  http?: string;
  /** The images the case's prebuild steps pushed (each builder its own), in order. */
  prebuilt?: string[];
}

export function substitute(text: string, vars: Placeholders): string {
  let out = text.replaceAll("{{busybox}}", vars.busybox);
  if (vars.registry !== undefined) out = out.replaceAll("{{registry}}", vars.registry);
  const withHttp = vars.http === undefined ? out : out.replaceAll("{{http}}", vars.http);
  const pre = vars.prebuilt ?? [];
  return pre.reduce(
    (text, ref, i) => text.replaceAll(`{{prebuilt${i}}}`, ref),
    pre.length ? withHttp.replaceAll("{{prebuilt}}", pre[pre.length - 1]) : withHttp,
  );
}

/**
 * Writes a case's context under `dir`: the Dockerfile and every file, directory, symlink and
 * socket the upstream test creates, with their modes (directories' modes set last, deepest first,
 * so that a 0500 directory can still be filled).
 */
export function writeContext(c: BuildkitCase, dir: string, vars: Placeholders): void {
  fs.mkdirSync(dir, { recursive: true });
  const dirModes: [string, number][] = [];
  const entries = Object.entries(c.files ?? {});
  if (c.dockerfileName !== null) {
    const name = c.dockerfileName ?? "Dockerfile";
    if (!(name in (c.files ?? {}))) entries.unshift([name, { content: c.dockerfile, mode: 0o600 }]);
  }
  for (const [rel, entry] of entries) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if ("dir" in entry) {
      fs.mkdirSync(p, { recursive: true });
      dirModes.push([p, entry.mode ?? 0o755]);
    } else if ("symlink" in entry) {
      fs.symlinkSync(entry.symlink, p);
    } else if ("socket" in entry) {
      // A child that binds and exits leaves the socket file behind (close() would unlink it).
      execFileSync(process.execPath, [
        "-e",
        `require("net").createServer().listen(${JSON.stringify(p)}, () => process.exit(0))`,
      ]);
      fs.chmodSync(p, entry.mode ?? 0o600);
    } else {
      const content = typeof entry.content === "string" ? substitute(entry.content, vars) : entry.content;
      fs.writeFileSync(p, content);
      fs.chmodSync(p, entry.mode ?? 0o644);
    }
  }
  dirModes.sort((a, b) => b[0].length - a[0].length);
  for (const [p, mode] of dirModes) fs.chmodSync(p, mode);
}

/** The Dockerfile's path in the context, or undefined when the builder must find it itself. */
export function dockerfilePath(c: BuildkitCase, dir: string): string | undefined {
  if (c.buildFile !== undefined) return path.join(dir, c.buildFile);
  return c.dockerfileName === null ? undefined : path.join(dir, c.dockerfileName ?? "Dockerfile");
}
