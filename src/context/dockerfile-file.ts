import * as fs from "node:fs";
import * as path from "node:path";
import { ContextError } from "./errors";
import { errorMessage, errnoCode } from "../errors";

/** The Dockerfile's bytes and where they really came from. */
export interface DockerfileBytes {
  bytes: Buffer;
  /** The real path of the file read (symlinks resolved). */
  realPath: string;
}

/**
 * Reads the Dockerfile of a build. The default `CONTEXT/Dockerfile` belongs to the context, so
 * it must resolve to a file inside it: a context from elsewhere (a cloned repository, a tar)
 * could otherwise make tsbuild read any host file, and the parser would quote its first line in
 * an error. A Dockerfile named explicitly (`-f`) is the user's choice and may be anywhere.
 *
 * Race-free: the file is opened once (following symlinks), and the path checked is the one the
 * kernel reports for the open descriptor. It must be a regular file — a FIFO or a device would
 * block or never end (O_NONBLOCK keeps the open itself from waiting on a FIFO).
 */
export async function readDockerfileFile(
  contextDir: string,
  file: string,
  explicit: boolean,
  /** How to name the file in messages. */
  display: string,
): Promise<DockerfileBytes> {
  const fail = (
    code: "CONTEXT_READ" | "CONTEXT_DOCKERFILE_OUTSIDE",
    reason: string,
    cause?: unknown,
  ): never => {
    throw new ContextError(
      code,
      `read Dockerfile ${display}: ${reason}`,
      cause === undefined ? {} : { cause },
    );
  };
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    const code = errnoCode(err);
    return fail("CONTEXT_READ", code === "ENOENT" ? "no such file" : errorMessage(err), err);
  }
  try {
    const realPath = await fs.promises.readlink(`/proc/self/fd/${handle.fd}`);
    if (!explicit) {
      const root = await realContextRoot(contextDir);
      const rel = path.relative(root, realPath);
      if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) {
        fail(
          "CONTEXT_DOCKERFILE_OUTSIDE",
          `it resolves to ${realPath}, outside the build context ${root}; name it with -f to build it anyway`,
        );
      }
    }
    const st = await handle.stat();
    if (!st.isFile()) fail("CONTEXT_READ", `not a regular file (${kindOf(st)})`);
    return { bytes: await handle.readFile(), realPath };
  } finally {
    await handle.close();
  }
}

async function realContextRoot(dir: string): Promise<string> {
  try {
    return await fs.promises.realpath(dir);
  } catch (err) {
    throw new ContextError("CONTEXT_NOT_A_DIRECTORY", `open build context ${dir}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a file";
}
