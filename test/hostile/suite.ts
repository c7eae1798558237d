import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { build } from "../../src/engine/build";
import type { Image } from "../../src/image/image";
import { closeDeflatePool } from "../../src/image/parallel-gzip";
import { pushImage } from "../../src/registry/push";
import { startFaultProxy, type FaultProxy } from "../registry/fault-proxy";
import { busyboxImage } from "../registry/images";
import { startRegistry, type TestRegistry } from "../support/registry";
import {
  makeSentinel,
  mountsUnder,
  processesUnder,
  runCase,
  snapshot,
  type CaseEnv,
  type HostileCase,
} from "./harness";
import { startHostileServer, type HostileServer } from "./hostile-server";

/** Where the suite's own scratch goes: each test file gets its own root. */
export interface SuiteHandle {
  root: () => string;
}

/**
 * One jest describe() running `cases` with the shared services: the hostile HTTP server, a real
 * registry behind the fault proxy (the suite's busybox pushed as `hostile/busybox:1`), and the
 * checks after every case: the sentinel byte for byte, no mount and no process under the suite's
 * directories, and a probe build into the case's cache that must give the reference digest.
 */
export function hostileSuite(title: string, cases: readonly HostileCase[]): SuiteHandle {
  let sentinel: string;
  let sentinelSnapshot: string[];
  let suiteRoot: string;
  let server: HostileServer;
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let busybox: Image;
  let probeContext: string;
  let probeDigest: string;

  const probe = async (cacheDir: string): Promise<string> =>
    (await build({ context: probeContext, cacheDir, sourceDateEpoch: 0 })).digest;

  describe(title, () => {
    beforeAll(async () => {
      sentinel = makeSentinel();
      sentinelSnapshot = snapshot(sentinel);
      suiteRoot = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-hostile-"));
      server = await startHostileServer();
      registry = await startRegistry();
      const seed = path.join(suiteRoot, "seed");
      fs.mkdirSync(seed);
      busybox = await busyboxImage(seed);
      await pushImage(busybox, `${registry.host}/hostile/busybox:1`, { credentials: async () => undefined });
      proxy = await startFaultProxy(registry.port);
      probeContext = path.join(suiteRoot, "probe");
      fs.mkdirSync(probeContext);
      fs.writeFileSync(path.join(probeContext, "p"), "probe\n");
      fs.writeFileSync(path.join(probeContext, "Dockerfile"), "FROM scratch\nCOPY p /p\nLABEL probe=1\n");
      probeDigest = await probe(path.join(suiteRoot, "probe-cache"));
    }, 180_000);

    afterAll(async () => {
      await proxy?.stop();
      await registry?.stop();
      await server?.stop();
      await closeDeflatePool();
      if (suiteRoot) fs.rmSync(suiteRoot, { recursive: true, force: true });
      if (sentinel) fs.rmSync(sentinel, { recursive: true, force: true });
    });

    it.each(cases.map((c) => [`${c.outcome} ${c.id}: ${c.title}`, c] as const))(
      "%s",
      async (_name, c) => {
        const target = fs.mkdtempSync(path.join(suiteRoot, `${c.id}-`));
        const env: CaseEnv = {
          target,
          context: path.join(target, "context"),
          cacheDir: path.join(target, "cache"),
          sentinel,
          secret: path.join(sentinel, "secret"),
          http: server.url,
          registry: proxy.host,
          direct: registry.host,
          image: `${proxy.host}/case/${c.id}:1`,
          busybox,
          proxy,
        };
        const faults = c.faults?.(env) ?? [];
        try {
          await c.setup?.(env);
          proxy.faults.push(...faults);
          try {
            await runCase(c, env);
          } finally {
            proxy.faults.splice(0, proxy.faults.length);
          }
          // The cache still works and gives the same digests.
          if (fs.existsSync(env.cacheDir)) expect(await probe(env.cacheDir)).toBe(probeDigest);
        } finally {
          try {
            await c.teardown?.(env);
          } finally {
            expect(snapshot(sentinel)).toEqual(sentinelSnapshot);
            expect(mountsUnder([suiteRoot, sentinel])).toEqual([]);
            expect(processesUnder([target])).toEqual([]);
            fs.rmSync(target, { recursive: true, force: true });
          }
        }
      },
      180_000,
    );
  });
  return { root: () => suiteRoot };
}
