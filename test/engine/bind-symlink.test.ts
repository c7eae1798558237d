import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "../../src/engine/build";
import { rm, tempTree } from "./helpers";

/**
 * RUN --mount=type=bind,from=<stage>,source=<a symlink to a host path>: the link is followed
 * inside the stage's filesystem (as if its root were /), never on the host. It used to be
 * resolved with path.resolve, which mounted the host path.
 */
const busybox = fs.readFileSync("/bin/busybox");
let ctx: string;
let cache: string;
let out: string;
let host: string;
beforeEach(() => {
  ctx = tempTree({ busybox });
  fs.chmodSync(path.join(ctx, "busybox"), 0o755);
  cache = tempTree({}, "tsbuild-cache-");
  out = tempTree({}, "tsbuild-out-");
  host = tempTree({ "secret.txt": "HOST FILE\n" }, "tsbuild-host-sentinel-");
});
afterEach(() => rm(ctx, cache, out, host));

function dockerfile(links: string, inStage: string): string {
  return `FROM scratch AS base
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
FROM base AS links
RUN ${links}${inStage}
FROM base
RUN --mount=type=bind,from=links,source=/abs,target=/a --mount=type=bind,from=links,source=/rel/secret.txt,target=/r.txt \\
    cat /a/secret.txt /r.txt > /out.txt
`;
}

const links = `ln -s ${"HOST"} /abs && ln -s ../../../../../../..${"HOST"} /rel`;

test("a link to an absolute host path shows the stage's own file there", async () => {
  const text = dockerfile(
    links.replaceAll("HOST", host),
    ` && mkdir -p ${host} && echo 'STAGE FILE' > ${host}/secret.txt`,
  );
  fs.writeFileSync(path.join(ctx, "Dockerfile"), text);
  await build({ context: ctx, cacheDir: cache, outputs: [{ type: "local", dest: out }] });
  expect(fs.readFileSync(path.join(out, "out.txt"), "utf8")).toBe("STAGE FILE\nSTAGE FILE\n");
});

test("a link to a host path missing in the stage is a clear error, never the host file", async () => {
  fs.writeFileSync(path.join(ctx, "Dockerfile"), dockerfile(links.replaceAll("HOST", host), ""));
  const failure = build({ context: ctx, cacheDir: cache, outputs: [{ type: "local", dest: out }] });
  await expect(failure).rejects.toThrow(/bind source \/abs not found in the stage/);
  await failure.catch((err: Error) => expect(err.message).not.toContain("HOST FILE"));
  expect(fs.existsSync(path.join(out, "out.txt"))).toBe(false);
});
