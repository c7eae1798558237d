import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { selfSignedServer, type TlsServer } from "../support/tls";
import { ensureDist, mainJs, rm, tempDir, tempTree } from "./helpers";

/**
 * The bin defers NODE_EXTRA_CA_CERTS (src/net/extra-ca.ts): run as a program it starts Node
 * without the variable and adds the certificates on the first TLS connection. A self-signed
 * server on 127.0.0.1 is trusted only through them.
 */
interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, encoding: "utf8", timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ status: code, stdout, stderr });
    });
  });
}

/** process.env without NODE_EXTRA_CA_CERTS (the machine may set it), plus `extra`. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (!("NODE_EXTRA_CA_CERTS" in extra)) delete env.NODE_EXTRA_CA_CERTS;
  delete env.TSBUILD_EXTRA_CA_CERTS;
  return env;
}

let dir: string;
let cert: string;
let tls: TlsServer;
let url: string;

beforeAll(async () => {
  ensureDist();
  dir = tempDir("tsbuild-extra-ca-");
  tls = await selfSignedServer(dir, (_req, res) => {
    res.writeHead(200, { "content-type": "text/plain", etag: '"v1"' });
    res.end("fetched over TLS\n");
  });
  cert = tls.certFile;
  url = `${tls.origin}/hello.txt`;
}, 120_000);

afterAll(async () => {
  await tls.close();
  rm(dir);
});

function buildAdd(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ r: Run; out: string }> {
  const ctx = tempTree({ Dockerfile: `FROM scratch\nADD ${url} /hello.txt\n` });
  const out = path.join(ctx, "out");
  const cache = path.join(ctx, "cache");
  const argv = [
    ...args,
    "build",
    "--progress",
    "plain",
    "--cache-dir",
    cache,
    "-o",
    `type=local,dest=${out}`,
    ctx,
  ];
  return run(cmd, argv, env).then((r) => ({ r, out }));
}

test("the bin run as a program trusts NODE_EXTRA_CA_CERTS for ADD <https url>", async () => {
  const { r, out } = await buildAdd(mainJs, [], envWith({ NODE_EXTRA_CA_CERTS: cert }));
  expect(r.stderr).not.toMatch(/certificate/i);
  expect(r.status).toBe(0);
  expect(fs.readFileSync(path.join(out, "hello.txt"), "utf8")).toBe("fetched over TLS\n");
  rm(path.dirname(out));
}, 120_000);

test("without the extra certificate the same build fails on the certificate", async () => {
  const { r, out } = await buildAdd(mainJs, [], envWith({}));
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/certificate/i);
  rm(path.dirname(out));
}, 120_000);

test("node dist/cli/main.js keeps Node's own NODE_EXTRA_CA_CERTS handling", async () => {
  const { r, out } = await buildAdd(process.execPath, [mainJs], envWith({ NODE_EXTRA_CA_CERTS: cert }));
  expect(r.status).toBe(0);
  expect(fs.readFileSync(path.join(out, "hello.txt"), "utf8")).toBe("fetched over TLS\n");
  rm(path.dirname(out));
}, 120_000);

test("the certificates are not read at start-up: a command without TLS never opens the file", async () => {
  const missing = path.join(dir, "no-such-bundle.pem");
  // Node itself warns at start-up about a file it cannot load; the bin defers it.
  const viaNode = await run(process.execPath, [mainJs, "du"], envWith({ NODE_EXTRA_CA_CERTS: missing }));
  expect(viaNode.stderr).toContain("Ignoring extra certs");
  const viaBin = await run(mainJs, ["du"], envWith({ NODE_EXTRA_CA_CERTS: missing }));
  expect(viaBin.status).toBe(0);
  expect(viaBin.stderr).not.toMatch(/extra certs/i);
}, 60_000);

test("a deferred file that cannot be read is warned about when TLS is used, as Node does", async () => {
  const missing = path.join(dir, "no-such-bundle.pem");
  const { r, out } = await buildAdd(mainJs, [], envWith({ NODE_EXTRA_CA_CERTS: missing }));
  expect(r.stderr).toContain(`ignoring extra certs from ${missing} (NODE_EXTRA_CA_CERTS)`);
  expect(r.status).not.toBe(0);
  rm(path.dirname(out));
}, 120_000);
