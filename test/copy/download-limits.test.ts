import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { downloadUrl } from "../../src/copy/download";
import { CopyError } from "../../src/copy/errors";
import type { DownloadLimits } from "../../src/net/limits";
import { freePort } from "../support/registry";

/** A loopback HTTP server whose routes misbehave on purpose. */
let server: http.Server;
let base: string;
const sockets = new Set<Socket>();
const timers = new Set<NodeJS.Timeout>();

function drip(res: http.ServerResponse, everyMs: number, headers: Record<string, string> = {}): void {
  res.writeHead(200, { "content-type": "application/octet-stream", ...headers });
  const t = setInterval(() => res.write("x"), everyMs);
  timers.add(t);
  res.on("close", () => clearInterval(t));
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    switch (url.pathname) {
      case "/ok":
        res.writeHead(200, { "content-length": "5" });
        res.end("hello");
        return;
      case "/drip":
        return drip(res, Number(url.searchParams.get("ms") ?? 200));
      case "/stall":
        res.writeHead(200, { "content-length": "100" });
        res.write("partial");
        return;
      case "/silent":
        return; // never answers
      case "/loop":
        res.writeHead(302, { location: "/loop" });
        res.end();
        return;
      case "/hop":
        res.writeHead(301, {
          location: `/hop${Number(url.searchParams.get("n") ?? 0) + 1 > 3 ? "-done" : `?n=${Number(url.searchParams.get("n") ?? 0) + 1}`}`,
        });
        res.end();
        return;
      case "/hop-done":
        res.writeHead(200);
        res.end("landed");
        return;
      case "/truncated":
        res.writeHead(200, { "content-length": "1000" });
        res.write("x".repeat(300));
        setTimeout(() => res.socket?.destroy(), 200);
        return;
      case "/missing":
        res.writeHead(404, "Not Found");
        res.end("no");
        return;
      case "/big-declared":
        res.writeHead(200, { "content-length": String(10 * 1024 * 1024) });
        res.end();
        return;
      case "/big-chunked": {
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024, 1);
        let sent = 0;
        const pump = (): void => {
          while (sent < 50 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once("drain", pump);
          }
          res.end();
        };
        res.on("error", () => undefined);
        pump();
        return;
      }
      case "/file.txt":
        res.writeHead(200);
        res.end(`query=${url.search}`);
        return;
      default:
        res.writeHead(500);
        res.end();
    }
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const t of timers) clearInterval(t);
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-dl-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const fast: Partial<DownloadLimits> = { idleTimeoutMs: 600, lowSpeedLimit: 100, maxTimeMs: 10_000 };

async function failure(url: string, limits: Partial<DownloadLimits> = fast): Promise<CopyError> {
  const started = Date.now();
  const err: unknown = await downloadUrl(url, dir, { limits }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CopyError);
  expect(Date.now() - started).toBeLessThan(8_000);
  expect(fs.readdirSync(dir)).toEqual([]); // no partial file left
  return err as CopyError;
}

describe("ADD <url>: every network read is bounded and every failure names the URL", () => {
  it("a server that drips a byte every 200 ms fails on the low-speed rule", async () => {
    const err = await failure(`${base}/drip?ms=200`);
    expect(err.code).toBe("COPY_DOWNLOAD_FAILED");
    expect(err.message).toMatch(
      new RegExp(
        `^download ${base}/drip\\?ms=200: (the transfer failed after \\d+ bytes: )?(slower than 100 bytes/s|no data) for 600 ms`,
      ),
    );
  });

  it("a body that stalls fails on the idle timeout, naming the bytes", async () => {
    const err = await failure(`${base}/stall`);
    // Whichever rule sees it first: nothing for 600 ms, or 7 bytes in the first 600 ms window.
    expect(err.message).toMatch(
      new RegExp(
        `^download ${base}/stall: the transfer failed after 7 of 100 bytes: (no data for 600 ms|slower than 100 bytes/s)`,
      ),
    );
  });

  it("a server that never answers fails on the idle timeout", async () => {
    expect((await failure(`${base}/silent`)).message).toBe(
      `download ${base}/silent: no data for 600 ms (0 bytes received)`,
    );
  });

  it("the overall limit ends a transfer that is fast enough but endless", async () => {
    const err = await failure(`${base}/drip?ms=5`, {
      idleTimeoutMs: 5_000,
      lowSpeedLimit: 1,
      maxTimeMs: 1_000,
    });
    expect(err.message).toContain("took longer than 1 s in all");
  });

  it("a redirect loop names the URL and the redirect", async () => {
    expect((await failure(`${base}/loop`)).message).toBe(
      `download ${base}/loop: stopped after 10 redirects (a redirect loop); the last was 302 to ${base}/loop`,
    );
  });

  it("a few redirects are followed, and the file is named after the URL as written", async () => {
    const file = await downloadUrl(`${base}/hop`, dir, { limits: fast });
    expect([file.name, fs.readFileSync(file.hostPath, "utf8")]).toEqual(["hop", "landed"]);
  });

  it("a truncated body names the byte counts", async () => {
    expect((await failure(`${base}/truncated`)).message).toMatch(
      new RegExp(`^download ${base}/truncated: the transfer failed after \\d+ of 1000 bytes: `),
    );
  });

  it("an HTTP error names the status", async () => {
    expect((await failure(`${base}/missing`)).message).toBe(
      `download ${base}/missing: server answered 404 Not Found`,
    );
  });

  it("a connection refused names the URL and the cause", async () => {
    const port = await freePort();
    const err = await failure(`http://127.0.0.1:${port}/x`);
    expect(err.message).toMatch(
      new RegExp(`^download http://127\\.0\\.0\\.1:${port}/x: fetch failed \\(.*ECONNREFUSED`),
    );
  });

  it("the size limit: refused from Content-Length, or cut off while streaming, memory bounded", async () => {
    const limits = { ...fast, maxDownloadSize: 1024 * 1024 };
    expect((await failure(`${base}/big-declared`, limits)).message).toBe(
      `download ${base}/big-declared: the server announces 10485760 bytes, more than the 1048576-byte limit (--max-download-size)`,
    );
    const rssBefore = process.memoryUsage().rss;
    expect((await failure(`${base}/big-chunked`, limits)).message).toBe(
      `download ${base}/big-chunked: the body is more than the 1048576-byte limit (--max-download-size)`,
    );
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it("a URL with ? downloads as a URL (its query is no glob)", async () => {
    const file = await downloadUrl(`${base}/file.txt?v=1&x=*`, dir, { limits: fast });
    expect([file.name, fs.readFileSync(file.hostPath, "utf8")]).toEqual(["file.txt", "query=?v=1&x=*"]);
  });
});
