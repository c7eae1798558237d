import type * as Undici from "undici";
import * as fs from "node:fs";
import { errorMessage } from "../errors";

/**
 * Node 20 parses every certificate named by NODE_EXTRA_CA_CERTS when the process starts, whether
 * or not it opens a TLS connection: ~80 ms for Debian's ca-certificates bundle, more than the rest
 * of a no-change rebuild. So the bin (dist/cli/main.js, whose first line is a shell command, see
 * scripts/bundle-cli.js) moves the variable to TSBUILD_EXTRA_CA_CERTS before Node starts, and
 * tsbuild adds those certificates to Node's root store itself when it first opens a TLS
 * connection: the same trust as Node's, paid for only by commands that use TLS.
 */
export const DEFERRED_CA_ENV = "TSBUILD_EXTRA_CA_CERTS";

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

let roots: readonly string[] | null | undefined;

/**
 * The CA list for a TLS connection: Node's roots plus the deferred extra certificates, or
 * undefined when Node's default store is already right (no deferred file, or Node read
 * NODE_EXTRA_CA_CERTS itself). Like Node, a file that cannot be read is warned about once and
 * otherwise ignored.
 */
export function tlsRoots(env: NodeJS.ProcessEnv = process.env): readonly string[] | undefined {
  if (roots !== undefined) return roots ?? undefined;
  roots = null;
  const file = env[DEFERRED_CA_ENV];
  if (file === undefined || file === "" || env.NODE_EXTRA_CA_CERTS !== undefined) return undefined;
  let extra: string[];
  try {
    extra = fs.readFileSync(file, "latin1").match(PEM_CERT) ?? [];
    if (extra.length === 0) throw new Error("no PEM certificate in it");
  } catch (err) {
    process.stderr.write(
      `tsbuild: warning: ignoring extra certs from ${file} (NODE_EXTRA_CA_CERTS): ${errorMessage(err)}\n`,
    );
    return undefined;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- tls loads with the first TLS use
  const tls = require("node:tls") as typeof import("node:tls");
  roots = [...tls.rootCertificates, ...extra];
  return roots;
}

let dispatcher: Undici.Agent | undefined;

/**
 * What fetch() needs for the same trust: an undici Agent with tlsRoots() (Node 20's fetch takes
 * no `ca`), or undefined for fetch's own default. undici loads only then.
 */
function fetchDispatcher(): Undici.Agent | undefined {
  const ca = tlsRoots();
  if (ca === undefined) return undefined;
  if (dispatcher === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- only with deferred extra CAs
    const { Agent } = require("undici") as typeof Undici;
    dispatcher = new Agent({ connect: { ca: [...ca] } });
  }
  return dispatcher;
}

/** Test hook: forget what was read, so a test can change the environment. */
export function resetTlsRootsForTest(): void {
  roots = undefined;
  dispatcher = undefined;
}

/** fetch() with tlsRoots() as its trust. */
export function fetchWithRoots(input: string, init: RequestInit): Promise<Response> {
  const d = fetchDispatcher();
  if (d === undefined) return fetch(input, init);
  // Cast: undici 6.29's Agent and @types/node's undici-types Dispatcher differ only in the
  // overloads of compose(), which fetch never calls (it calls dispatch()).
  return fetch(input, { ...init, dispatcher: d as unknown as NonNullable<RequestInit["dispatcher"]> });
}
