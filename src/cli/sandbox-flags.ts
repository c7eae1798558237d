/**
 * Flags about the RUN containers' surroundings: `--network`, `--add-host`, `--shm-size` (buildx's
 * spelling). Each bad value is a UsageError naming the flag.
 */
import type { ArgumentsCamelCase, Options } from "yargs";
import { parseSize } from "../cache/units";
import { UsageError } from "../errors";
import type { BuildOptions } from "../engine/build-options";
import { stringList } from "./store-option";
import { isOneOf } from "../guards";

export const sandboxOptionSpecs: Record<string, Options> = {
  network: {
    type: "string",
    requiresArg: true,
    describe: "network of RUN steps without --network=: default, none, or host (needs --allow network.host)",
  },
  "add-host": {
    type: "string",
    requiresArg: true,
    describe: "add a host:ip line to the /etc/hosts of RUN steps; repeatable",
  },
  "shm-size": {
    type: "string",
    requiresArg: true,
    describe: "size of /dev/shm in RUN steps (e.g. 128m; default 64m)",
  },
};

const NETWORKS = ["default", "none", "host"] as const;
// A host name (RFC 1123 labels, as docker's ValidateExtraHost accepts).
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** `--network`, `--add-host`, `--shm-size` as build options. */
export function sandboxArgs(
  args: ArgumentsCamelCase,
): Pick<BuildOptions, "networkMode" | "addHosts" | "shmSize"> {
  const out: Pick<BuildOptions, "networkMode" | "addHosts" | "shmSize"> = {};
  if (args.network !== undefined) {
    const n = String(args.network);
    if (!isOneOf(NETWORKS, n)) throw new UsageError(`--network: "${n}" is not default, none or host`);
    out.networkMode = n;
  }
  const hosts = stringList(args.addHost).map(parseAddHost);
  if (hosts.length > 0) out.addHosts = hosts;
  if (args.shmSize !== undefined) out.shmSize = parseShmSize(String(args.shmSize));
  return out;
}

/** `host:ip` (docker also takes `host=ip`; an IPv6 address keeps its colons). */
export function parseAddHost(text: string): { host: string; ip: string } {
  const sep = text.search(/[:=]/);
  const host = sep < 0 ? "" : text.slice(0, sep);
  const ip = sep < 0 ? "" : text.slice(sep + 1).replace(/^\[(.*)\]$/, "$1");
  if (!HOST_NAME.test(host))
    throw new UsageError(`--add-host: "${text}" is not host:ip (bad host name "${host}")`);
  if (ip === "host-gateway")
    throw new UsageError(`--add-host ${text}: host-gateway needs a daemon's bridge; give an address`);
  if (!isIp(ip)) throw new UsageError(`--add-host: "${text}": "${ip}" is not an IP address`);
  return { host, ip };
}

function isIp(text: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) return v4.slice(1).every((p) => Number(p) <= 255);
  return /^[0-9a-fA-F:]+$/.test(text) && text.includes(":") && (text.match(/::/g) ?? []).length <= 1;
}

/** `--shm-size 128m` (docker's units: a bare number is bytes, k/m/g are powers of 1024). */
export function parseShmSize(text: string): number {
  let bytes: number;
  try {
    bytes = parseSize(text);
  } catch {
    throw new UsageError(`--shm-size: "${text}" is not a size like 64m or 1g`);
  }
  if (bytes <= 0) throw new UsageError(`--shm-size: "${text}" must be more than 0`);
  return bytes;
}
