import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A loopback HTTP server for ADD <url> cases; every route misbehaves in one way. */
export interface HostileServer {
  url: string;
  stop(): Promise<void>;
}

export async function startHostileServer(): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const drip = (): void => {
      res.writeHead(200);
      const t = setInterval(() => res.write("x"), 200);
      timers.add(t);
      res.on("close", () => clearInterval(t));
    };
    switch (url.pathname) {
      case "/drip":
        return drip();
      case "/silent":
        return; // headers never come
      case "/loop":
        res.writeHead(302, { location: "/loop" });
        return void res.end();
      case "/truncated":
        res.writeHead(200, { "content-length": "4096", etag: '"t"' });
        res.write("x".repeat(1000));
        setTimeout(() => res.socket?.destroy(), 200);
        return;
      case "/missing":
        res.writeHead(404, "Not Found");
        return void res.end();
      case "/big":
        res.writeHead(200, { "content-length": String(64 * 1024 * 1024) });
        return void res.end();
      case "/file.txt":
        res.writeHead(200, { etag: '"f"', "content-length": String(6 + url.search.length) });
        return void res.end(`query=${url.search}`);
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
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
