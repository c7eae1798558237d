import * as path from "node:path";
import { LayerView } from "../../src/rootfs/layer-view";
import { parsePasswd, resolveChown, resolveExecUser, UserDb } from "../../src/rootfs/users";
import { TempDirs, writeTree } from "../copy/support";

const tmp = new TempDirs();
afterAll(() => tmp.cleanup());

function view(): LayerView {
  const layer = writeTree(path.join(tmp.make(), "l"), {
    "etc/passwd": [
      "root:x:0:0:root:/root:/bin/sh",
      "# a comment",
      "",
      "app:x:1000:1001:App:/home/app:/bin/sh",
      "svc:x:999:999::/srv:/sbin/nologin",
      "broken:x:notanumber:1::/:/bin/false",
    ].join("\n"),
    "etc/group": ["root:x:0:", "appgrp:x:1001:", "staff:x:50:app,svc", "svc:x:999:"].join("\n"),
  });
  return new LayerView([layer]);
}

describe("--chown resolution", () => {
  test.each([
    ["app", { uid: 1000, gid: 1001 }],
    ["app:staff", { uid: 1000, gid: 50 }],
    ["app:7", { uid: 1000, gid: 7 }],
    ["1000", { uid: 1000, gid: 1000 }],
    ["1234:5678", { uid: 1234, gid: 5678 }],
    ["42:staff", { uid: 42, gid: 50 }],
    ["0", { uid: 0, gid: 0 }],
  ])("%s", (spec, expected) => {
    expect(resolveChown(spec, view())).toEqual(expected);
  });

  test("an unknown user is a typed error naming the user and the file", () => {
    expect(() => resolveChown("nobody2", view())).toThrow(
      expect.objectContaining({
        code: "ROOTFS_UNKNOWN_USER",
        message: expect.stringMatching(/nobody2.*\/etc\/passwd/),
      }),
    );
  });

  test("an unknown group is a typed error naming the group and the file", () => {
    expect(() => resolveChown("app:wheel", view())).toThrow(
      expect.objectContaining({
        code: "ROOTFS_UNKNOWN_GROUP",
        message: expect.stringMatching(/wheel.*\/etc\/group/),
      }),
    );
  });

  test("names need an /etc/passwd: a scratch stage knows none", () => {
    expect(() => resolveChown("app", new LayerView([]))).toThrow(
      expect.objectContaining({ code: "ROOTFS_UNKNOWN_USER" }),
    );
    expect(resolveChown("10:20", new LayerView([]))).toEqual({ uid: 10, gid: 20 });
  });

  test("empty parts and out-of-range ids are rejected", () => {
    expect(() => resolveChown("app:", view())).toThrow(expect.objectContaining({ code: "ROOTFS_BAD_USER" }));
    expect(() => resolveChown("99999999999", view())).toThrow(
      expect.objectContaining({ code: "ROOTFS_BAD_USER" }),
    );
  });
});

describe("USER resolution for RUN", () => {
  test("a name takes its primary group and supplementary groups", () => {
    expect(resolveExecUser("app", view())).toEqual({
      uid: 1000,
      gid: 1001,
      additionalGids: [1001, 50],
      home: "/home/app",
    });
  });

  test("a numeric uid without a passwd entry runs with gid 0", () => {
    expect(resolveExecUser("4242", view())).toEqual({ uid: 4242, gid: 0, additionalGids: [0], home: "/" });
  });

  test("a numeric uid with a passwd entry uses its group; :group overrides", () => {
    expect(resolveExecUser("999", view()).gid).toBe(999);
    expect(resolveExecUser("svc:staff", view()).gid).toBe(50);
  });

  test("empty USER is root", () => {
    expect(resolveExecUser("", view())).toMatchObject({ uid: 0, gid: 0, home: "/root" });
  });
});

// RUN's USER and COPY's --chown read one database with one parser (they used to have one each).
describe("runc's GetExecUser rules (what RUN runs as)", () => {
  let layer: string;
  beforeAll(() => {
    layer = writeTree(path.join(tmp.make(), "l"), {
      "etc/passwd":
        "# comment\nroot:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\nbroken-line\n",
      "etc/group": "root:x:0:\nalice:x:1000:\nwheel:x:10:root,alice\ndev:x:20:alice\n",
    });
  });

  test.each([
    [undefined, { uid: 0, gid: 0, additionalGids: [0, 10] }],
    ["root", { uid: 0, gid: 0, additionalGids: [0, 10] }],
    ["alice", { uid: 1000, gid: 1000, additionalGids: [1000, 10, 20] }],
    ["1000", { uid: 1000, gid: 1000, additionalGids: [1000, 10, 20] }],
    ["4242", { uid: 4242, gid: 0, additionalGids: [0] }],
    // The primary group is always listed (containerd's CVE-2023-25173 fix, BuildKit's
    // testUserAdditionalGids); an explicit group replaces the supplementary groups.
    ["alice:dev", { uid: 1000, gid: 20, additionalGids: [20] }],
    ["alice:77", { uid: 1000, gid: 77, additionalGids: [77] }],
    ["4242:4343", { uid: 4242, gid: 4343, additionalGids: [4343] }],
  ])("USER %s", (spec, expected) => {
    expect(resolveExecUser(spec, new LayerView([layer]))).toMatchObject(expected);
  });

  test.each([
    ["nobody", "ROOTFS_UNKNOWN_USER"],
    ["alice:nogroup", "ROOTFS_UNKNOWN_GROUP"],
    [":10", "ROOTFS_BAD_USER"],
  ])("USER %s is a typed error", (spec, code) => {
    expect(() => resolveExecUser(spec, new LayerView([layer]))).toThrow(expect.objectContaining({ code }));
  });

  test("a rootfs without /etc/passwd accepts numeric users only", () => {
    const empty = new LayerView([path.join(layer, "etc")]);
    expect(resolveExecUser("5:6", empty)).toMatchObject({ uid: 5, gid: 6, additionalGids: [6] });
    expect(() => resolveExecUser("alice", empty)).toThrow(/no user alice in \/etc\/passwd/);
  });

  test("one database serves USER and --chown alike", () => {
    const db = new UserDb(new LayerView([layer]));
    expect(resolveExecUser("alice", db)).toMatchObject({ uid: 1000, gid: 1000 });
    expect(resolveChown("alice", db)).toEqual({ uid: 1000, gid: 1000 });
    expect(resolveChown("alice:wheel", db)).toEqual({ uid: 1000, gid: 10 });
  });
});

test("passwd lines with bad ids are skipped", () => {
  expect(parsePasswd("x:x:1:a:\ny:x:2:3:::").map((u) => u.name)).toEqual(["y"]);
});
