import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { DEFERRED_CA_ENV, resetTlsRootsForTest, tlsRoots } from "../../src/net/extra-ca";
import { sendRequest } from "../../src/registry/transport";
import { selfSignedServer, type TlsServer } from "../support/tls";

// Registry requests get the deferred extra certificates too (src/net/extra-ca.ts).
let dir: string;
let cert: string;
let server: TlsServer;
let url: URL;
const saved = { node: process.env.NODE_EXTRA_CA_CERTS, deferred: process.env[DEFERRED_CA_ENV] };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-net-ca-"));
  server = await selfSignedServer(dir, (_req, res) => {
    res.writeHead(200, { "docker-distribution-api-version": "registry/2.0" });
    res.end("{}");
  });
  cert = server.certFile;
  url = new URL(`${server.origin}/v2/`);
}, 60_000);

afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [name, value] of [
    ["NODE_EXTRA_CA_CERTS", saved.node],
    [DEFERRED_CA_ENV, saved.deferred],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

beforeEach(() => resetTlsRootsForTest());

test("Node's roots plus the deferred file, only when Node did not read NODE_EXTRA_CA_CERTS", () => {
  const env = { [DEFERRED_CA_ENV]: cert };
  const roots = tlsRoots(env);
  expect(roots?.length).toBe(tls.rootCertificates.length + 1);
  expect(roots?.at(-1)).toBe(fs.readFileSync(cert, "latin1").trim());
  resetTlsRootsForTest();
  expect(tlsRoots({ ...env, NODE_EXTRA_CA_CERTS: cert })).toBeUndefined();
  resetTlsRootsForTest();
  expect(tlsRoots({})).toBeUndefined();
});

test("a registry request over TLS trusts the deferred certificate", async () => {
  delete process.env.NODE_EXTRA_CA_CERTS;
  process.env[DEFERRED_CA_ENV] = cert;
  const res = await sendRequest({ method: "GET", url });
  res.body.resume();
  expect(res.status).toBe(200);
});
