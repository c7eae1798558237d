import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { closeDeflatePool } from "../../src/image/parallel-gzip";
import { pushImage } from "../../src/registry/push";
import { startFaultProxy, type FaultProxy } from "../registry/fault-proxy";
import { busyboxImage } from "../registry/images";
import { startRegistry, type TestRegistry } from "../support/registry";
import { CASES } from "./cases";
import { makeSentinel, mountsUnder, runCase, snapshot, type CaseEnv } from "./harness";
import { startHostileServer, type HostileServer } from "./hostile-server";

describe("hostile inputs: Dockerfile, context, ADD <url>, registry", () => {
  let sentinel: string;
  let sentinelSnapshot: string[];
  let suiteRoot: string;
  let server: HostileServer;
  let registry: TestRegistry;
  let proxy: FaultProxy;

  beforeAll(async () => {
    sentinel = makeSentinel();
    sentinelSnapshot = snapshot(sentinel);
    suiteRoot = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-hostile-"));
    server = await startHostileServer();
    registry = await startRegistry();
    const seed = path.join(suiteRoot, "seed");
    fs.mkdirSync(seed);
    await pushImage(await busyboxImage(seed), `${registry.host}/hostile/busybox:1`, {
      credentials: async () => undefined,
    });
    proxy = await startFaultProxy(registry.port);
    proxy.faults.push({
      match: (_m, p) => p.includes("/manifests/"),
      action: { kind: "drip", intervalMs: 200 },
    });
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
    await server?.stop();
    await closeDeflatePool();
    fs.rmSync(suiteRoot, { recursive: true, force: true });
    fs.rmSync(sentinel, { recursive: true, force: true });
  });

  it("has at least 25 cases with unique ids", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
  });

  it("docs/security.md lists every case with its outcome", () => {
    const doc = fs.readFileSync(path.join(__dirname, "../../docs/security.md"), "utf8");
    for (const c of CASES)
      expect(doc).toMatch(new RegExp(`\\|\\s*\`${c.id}\`\\s*\\|\\s*${c.outcome}\\s*\\|`));
  });

  it.each(CASES.map((c) => [`${c.outcome} ${c.id}: ${c.title}`, c] as const))(
    "%s",
    async (_name, c) => {
      const target = fs.mkdtempSync(path.join(suiteRoot, `${c.id}-`));
      const env: CaseEnv = {
        target,
        context: path.join(target, "context"),
        sentinel,
        secret: path.join(sentinel, "secret"),
        http: server.url,
        registry: proxy.host,
      };
      try {
        await runCase(c, env);
      } finally {
        expect(snapshot(sentinel)).toEqual(sentinelSnapshot);
        expect(mountsUnder([suiteRoot, sentinel])).toEqual([]);
        fs.rmSync(target, { recursive: true, force: true });
      }
    },
    150_000,
  );
});
