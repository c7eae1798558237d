/**
 * Stream chunks as bytes. Node's async iteration types every chunk as `any`; these check what
 * arrives instead of asserting it.
 */

/** A chunk as a Buffer: Buffers pass through, other byte views and strings are copied. */
export function asBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  throw new TypeError(`read stream: expected bytes, got ${typeof chunk}`);
}

/** Every byte of `source`, for small documents (manifests, configs, stdin), never a layer. */
export async function readAll(source: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(asBuffer(chunk));
  return Buffer.concat(chunks);
}
