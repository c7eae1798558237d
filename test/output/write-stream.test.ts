import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { writeInto, writeToDestination } from "../../src/output/write-stream";

describe("writeInto", () => {
  it("writing to stdout many times leaves no listener behind and does not end it", async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(Buffer.from(chunk).toString());
      return true;
    });
    const before = process.stdout.listenerCount("close");
    try {
      for (let i = 0; i < 12; i++) await writeInto(Readable.from([Buffer.from(`${i};`)]), process.stdout);
    } finally {
      spy.mockRestore();
    }
    expect(process.stdout.listenerCount("close")).toBe(before);
    expect(written.join("")).toBe("0;1;2;3;4;5;6;7;8;9;10;11;");
    expect(process.stdout.writableEnded).toBe(false);
  });

  it("a caller's stream is ended, as pipeline() does", async () => {
    const dest = new PassThrough();
    const chunks: Buffer[] = [];
    dest.on("data", (c: Buffer) => chunks.push(c));
    await writeInto(Readable.from([Buffer.from("abc")]), dest);
    expect(dest.writableEnded).toBe(true);
    expect(Buffer.concat(chunks).toString()).toBe("abc");
  });
});

describe("writeToDestination", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-ws-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("a regular file is replaced whole", async () => {
    const dest = path.join(dir, "out.tar");
    fs.writeFileSync(dest, "old content, longer than the new");
    await writeToDestination(Readable.from([Buffer.from("new")]), dest, "archive");
    expect(fs.readFileSync(dest, "utf8")).toBe("new");
    expect(fs.readdirSync(dir)).toEqual(["out.tar"]);
  });

  it("a device (dest=/dev/null) is written in place, never replaced by a regular file", async () => {
    const dest = path.join(dir, "null");
    execFileSync("mknod", ["-m", "666", dest, "c", "1", "3"]);
    await writeToDestination(Readable.from([Buffer.from("x".repeat(1000))]), dest, "archive");
    expect(fs.statSync(dest).isCharacterDevice()).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(["null"]);
  });

  it("a FIFO is written in place for its reader", async () => {
    const dest = path.join(dir, "pipe");
    execFileSync("mkfifo", [dest]);
    const reader = fs.promises.readFile(dest, "utf8");
    await writeToDestination(Readable.from([Buffer.from("through the pipe")]), dest, "archive");
    expect(await reader).toBe("through the pipe");
    expect(fs.statSync(dest).isFIFO()).toBe(true);
  });
});
