import { build } from "../../src/engine/build";
import { rm, tempTree } from "./helpers";

/**
 * Steps with different keys can write byte-identical layers at the same time (a multi-platform
 * build's per-platform COPY --from of one shared stage does); each writes in its own temp dir,
 * so neither renames the other's blob away.
 */
test("eight concurrent stages writing the same layer all succeed", async () => {
  const stages = Array.from({ length: 8 }, (_, i) => `FROM scratch AS s${i}\nCOPY g${i} /g\nCOPY f /f\n`);
  const final = ["FROM scratch", ...stages.map((_, i) => `COPY --from=s${i} /f /f${i}`), ""].join("\n");
  const files: Record<string, string> = {
    Dockerfile: stages.join("") + final,
    f: "same bytes\n".repeat(1000),
  };
  for (let i = 0; i < 8; i++) files[`g${i}`] = `stage ${i}\n`;
  const ctx = tempTree(files);
  const cache = tempTree({}, "tsbuild-cache-");
  try {
    const result = await build({ context: ctx, cacheDir: cache, jobs: 8 });
    const copies = result.steps.filter((s) => s.display === "COPY f /f");
    expect(copies).toHaveLength(8);
    expect(new Set(copies.map((s) => s.layer?.digest)).size).toBe(1);
  } finally {
    rm(ctx, cache);
  }
});
