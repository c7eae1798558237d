import * as crypto from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An HTTP server on 127.0.0.1 for one case that ADDs a URL: the case's `http` files at their
 * paths, `{{http}}` in its Dockerfile stands for http://127.0.0.1:PORT. Responses carry an ETag
 * (and Last-Modified when given), as upstream's httpserver does.
 */
export interface HttpFile {
  content: string | Buffer;
  lastModified?: string;
}

export class CaseHttpServer {
  private files = new Map<string, HttpFile>();
  private server?: http.Server;
  port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const f = this.files.get((req.url ?? "").split("?")[0]);
      if (!f) {
        res.writeHead(404).end();
        return;
      }
      const body = Buffer.from(f.content);
      const headers: Record<string, string> = {
        "content-length": String(body.length),
        etag: `"${crypto.createHash("sha256").update(body).digest("hex").slice(0, 16)}"`,
      };
      if (f.lastModified) headers["last-modified"] = f.lastModified;
      res.writeHead(200, headers);
      res.end(req.method === "HEAD" ? undefined : body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  serve(files: Record<string, HttpFile>): string {
    for (const [p, f] of Object.entries(files)) this.files.set(`/${p.replace(/^\//, "")}`, f);
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
