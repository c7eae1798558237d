import { PassThrough, Readable } from "node:stream";
import { writeInto } from "../../src/output/write-stream";

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
