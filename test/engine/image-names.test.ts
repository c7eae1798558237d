import * as fs from "node:fs";
import * as path from "node:path";
import { CacheStore } from "../../src/cache";
import { build } from "../../src/engine/build";
import { rm, tempTree } from "./helpers";

/** Tags, FROM and the image index use one reference parser (src/registry/reference.ts). */
let ctx: string;
let cache: string;
beforeEach(() => {
  ctx = tempTree({ "a.txt": "a\n" });
  cache = tempTree({}, "tsbuild-cache-");
});
afterEach(() => rm(ctx, cache));

it("an image tagged with its long name is found by FROM with its short one, and the other way round", async () => {
  fs.writeFileSync(path.join(ctx, "Dockerfile"), "FROM scratch\nCOPY a.txt /\n");
  const base = await build({ context: ctx, cacheDir: cache, tags: ["docker.io/library/names-base"] });
  const store = await CacheStore.open(cache);
  expect((await store.images.list()).map((i) => i.tag)).toEqual(["names-base:latest"]);

  // Before, the index held "docker.io/library/names-base:latest": FROM names-base missed it and
  // went to Docker Hub.
  for (const from of ["names-base", "docker.io/library/names-base:latest", "library/names-base"]) {
    fs.writeFileSync(path.join(ctx, "Dockerfile"), `FROM ${from}\nCOPY a.txt /again\n`);
    const app = await build({ context: ctx, cacheDir: cache });
    expect(app.config.rootfs.diff_ids.slice(0, 1)).toEqual(base.config.rootfs.diff_ids);
  }
});

it("a tag that is no reference fails the build before it runs anything", async () => {
  fs.writeFileSync(path.join(ctx, "Dockerfile"), "FROM scratch\nCOPY a.txt /\n");
  await expect(build({ context: ctx, cacheDir: cache, tags: ["Upper:Case"] })).rejects.toThrow(
    'parse image reference "Upper:Case": repository name must be lowercase',
  );
  const store = await CacheStore.open(cache);
  expect(await store.records.list()).toEqual([]);
  expect(await store.images.list()).toEqual([]);
});
