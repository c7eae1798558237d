import * as http from "node:http";
import * as net from "node:net";

/**
 * A fault-injection HTTP proxy in front of a registry, on 127.0.0.1 only. Every request is logged
 * as "METHOD /path" (query stripped); a fault whose `match` accepts the request (and whose `times`
 * is not used up) replaces or alters the upstream answer.
 */
export type FaultAction =
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: string }
  | { kind: "reset" } // drop the connection without answering
  | { kind: "truncate"; bytes: number } // forward headers, send only the first bytes of the body, then drop
  | { kind: "tamper" } // flip a byte of the body, keep its length
  | { kind: "content-type"; value: string } // relabel the response
  | { kind: "huge-manifest"; bytes: number } // answer with a manifest body of this size
  | { kind: "drip"; intervalMs: number }; // forward headers, then the body one byte per interval

export interface Fault {
  match: (method: string, path: string) => boolean;
  action: FaultAction;
  /** How many matching requests to fault (default: all). */
  times?: number;
}

export interface FaultProxy {
  host: string;
  port: number;
  log: string[];
  faults: Fault[];
  stop(): Promise<void>;
}

export function startFaultProxy(upstreamPort: number): Promise<FaultProxy> {
  const log: string[] = [];
  const faults: Fault[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const method = req.method ?? "GET";
    const pathOnly = (req.url ?? "/").split("?")[0];
    log.push(`${method} ${pathOnly}`);
    const fault = faults.find((f) => (f.times === undefined || f.times > 0) && f.match(method, pathOnly));
    if (fault && fault.times !== undefined) fault.times--;
    const action = fault?.action;
    if (action?.kind === "status") {
      req.resume();
      res.writeHead(action.status, { "content-type": "application/json", ...(action.headers ?? {}) });
      res.end(action.body ?? "");
      return;
    }
    if (action?.kind === "reset") {
      req.socket.destroy();
      return;
    }
    if (action?.kind === "huge-manifest") {
      req.resume();
      res.writeHead(200, {
        "content-type": "application/vnd.oci.image.manifest.v1+json",
        "content-length": String(action.bytes),
      });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let left = action.bytes;
      const pump = (): void => {
        while (left > 0) {
          const n = Math.min(left, chunk.length);
          left -= n;
          if (!res.write(chunk.subarray(0, n))) return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("error", () => undefined);
      pump();
      return;
    }
    const headers = { ...req.headers, host: `127.0.0.1:${upstreamPort}` };
    const up = http.request(
      { host: "127.0.0.1", port: upstreamPort, method, path: req.url, headers },
      (upRes) => {
        const outHeaders = { ...upRes.headers };
        if (action?.kind === "content-type") outHeaders["content-type"] = action.value;
        if (upRes.headers.location)
          outHeaders.location = upRes.headers.location.replace(
            `127.0.0.1:${upstreamPort}`,
            `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
          );
        res.writeHead(upRes.statusCode ?? 502, outHeaders);
        if (action?.kind === "truncate") {
          let sent = 0;
          upRes.on("data", (d: Buffer) => {
            if (sent >= action.bytes) return;
            const part = d.subarray(0, action.bytes - sent);
            sent += part.length;
            res.write(part);
            if (sent >= action.bytes) setTimeout(() => res.socket?.destroy(), 20);
          });
          return;
        }
        if (action?.kind === "drip") {
          const body: Buffer[] = [];
          upRes.on("data", (d: Buffer) => body.push(d));
          upRes.on("end", () => {
            const all = Buffer.concat(body);
            let at = 0;
            const timer = setInterval(() => {
              if (at >= all.length || res.destroyed) {
                clearInterval(timer);
                res.end();
                return;
              }
              res.write(all.subarray(at, at + 1));
              at++;
            }, action.intervalMs);
            res.on("close", () => clearInterval(timer));
          });
          return;
        }
        if (action?.kind === "tamper") {
          let first = true;
          upRes.on("data", (d: Buffer) => {
            if (first && d.length > 0) {
              d = Buffer.from(d);
              d[0] = d[0] ^ 0xff;
              first = false;
            }
            res.write(d);
          });
          upRes.on("end", () => res.end());
          return;
        }
        upRes.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        host: `127.0.0.1:${port}`,
        port,
        log,
        faults,
        stop: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
