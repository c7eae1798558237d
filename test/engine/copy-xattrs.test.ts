import * as fs from "node:fs";
import * as path from "node:path";
import { getAttributeSync, setAttributeSync } from "@napi-rs/xattr";
import { build } from "../../src/engine/build";
import { rm, tempTree } from "./helpers";

/**
 * COPY keeps xattrs end to end, as BuildKit's copy does: a context file's user.* and
 * security.capability go into one stage's layer, come back when that layer is unpacked for
 * `COPY --from`, and reach the exported filesystem.
 */
const CAP = Buffer.from("0100000200040000000000000000000000000000", "hex");

let ctx: string;
let cache: string;
let out: string;
beforeEach(() => {
  ctx = tempTree({ tool: "#!/bin/sh\n", plain: "p" });
  cache = tempTree({}, "tsbuild-cache-");
  out = tempTree({}, "tsbuild-out-");
});
afterEach(() => rm(ctx, cache, out));

test("context → stage layer → COPY --from → local output", async () => {
  setAttributeSync(path.join(ctx, "tool"), "user.origin", Buffer.from("context"));
  setAttributeSync(path.join(ctx, "tool"), "security.capability", CAP);
  fs.writeFileSync(
    path.join(ctx, "Dockerfile"),
    "FROM scratch AS first\nCOPY tool plain /in/\nFROM scratch\nCOPY --from=first /in/ /copied/\n",
  );
  await build({ context: ctx, cacheDir: cache, outputs: [{ type: "local", dest: out }] });
  const tool = path.join(out, "copied/tool");
  expect(getAttributeSync(tool, "user.origin")?.toString()).toBe("context");
  expect(getAttributeSync(tool, "security.capability")?.equals(CAP)).toBe(true);
  expect(getAttributeSync(path.join(out, "copied/plain"), "user.origin")).toBeNull();
});
