import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LayeredRootfs } from "../../src/executor/layered-rootfs";
import { resolveUser } from "../../src/executor/user";

let dir: string;
let rootfs: LayeredRootfs;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-user-test-"));
  fs.mkdirSync(path.join(dir, "etc"));
  fs.writeFileSync(
    path.join(dir, "etc/passwd"),
    "# comment\nroot:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\nbroken-line\n",
  );
  fs.writeFileSync(
    path.join(dir, "etc/group"),
    "root:x:0:\nalice:x:1000:\nwheel:x:10:root,alice\ndev:x:20:alice\n",
  );
  rootfs = new LayeredRootfs([dir]);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("resolveUser", () => {
  test.each([
    [undefined, { uid: 0, gid: 0, groups: [0, 10] }],
    ["root", { uid: 0, gid: 0, groups: [0, 10] }],
    ["alice", { uid: 1000, gid: 1000, groups: [1000, 10, 20] }],
    ["1000", { uid: 1000, gid: 1000, groups: [1000, 10, 20] }],
    ["4242", { uid: 4242, gid: 0, groups: [0] }],
    ["alice:dev", { uid: 1000, gid: 20, groups: [20] }],
    ["alice:77", { uid: 1000, gid: 77, groups: [77] }],
    ["4242:4343", { uid: 4242, gid: 4343, groups: [4343] }],
  ])("USER %s", (spec, expected) => {
    expect(resolveUser(rootfs, spec)).toEqual(expected);
  });

  test.each([["nobody"], ["alice:nogroup"], [":10"]])("USER %s is a typed error", (spec) => {
    expect(() => resolveUser(rootfs, spec)).toThrow(
      expect.objectContaining({ code: "EXECUTOR_USER_NOT_FOUND" }),
    );
  });

  test("a rootfs without /etc/passwd accepts numeric users only", () => {
    const empty = new LayeredRootfs([path.join(dir, "etc")]);
    expect(resolveUser(empty, "5:6")).toEqual({ uid: 5, gid: 6, groups: [6] });
    expect(() => resolveUser(empty, "alice")).toThrow(/no user "alice" in \/etc\/passwd/);
  });
});
