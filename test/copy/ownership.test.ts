import * as path from "node:path";
import { resolveChown, resolveExecUser } from "../../src/copy/ownership";
import { RootfsView } from "../../src/copy/rootfs-view";
import { parsePasswd } from "../../src/copy/user-db";
import { TempDirs, writeTree } from "./support";

const tmp = new TempDirs();
afterAll(() => tmp.cleanup());

function view(): RootfsView {
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
  return new RootfsView([layer]);
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
        code: "COPY_UNKNOWN_USER",
        message: expect.stringMatching(/nobody2.*\/etc\/passwd/),
      }),
    );
  });

  test("an unknown group is a typed error naming the group and the file", () => {
    expect(() => resolveChown("app:wheel", view())).toThrow(
      expect.objectContaining({
        code: "COPY_UNKNOWN_GROUP",
        message: expect.stringMatching(/wheel.*\/etc\/group/),
      }),
    );
  });

  test("names need an /etc/passwd: a scratch stage knows none", () => {
    expect(() => resolveChown("app", new RootfsView([]))).toThrow(
      expect.objectContaining({ code: "COPY_UNKNOWN_USER" }),
    );
    expect(resolveChown("10:20", new RootfsView([]))).toEqual({ uid: 10, gid: 20 });
  });

  test("empty parts and out-of-range ids are rejected", () => {
    expect(() => resolveChown("app:", view())).toThrow(expect.objectContaining({ code: "COPY_BAD_CHOWN" }));
    expect(() => resolveChown("99999999999", view())).toThrow(
      expect.objectContaining({ code: "COPY_BAD_CHOWN" }),
    );
  });
});

describe("USER resolution for RUN", () => {
  test("a name takes its primary group and supplementary groups", () => {
    expect(resolveExecUser("app", view())).toEqual({
      uid: 1000,
      gid: 1001,
      additionalGids: [50],
      home: "/home/app",
    });
  });

  test("a numeric uid without a passwd entry runs with gid 0", () => {
    expect(resolveExecUser("4242", view())).toEqual({ uid: 4242, gid: 0, additionalGids: [], home: "/" });
  });

  test("a numeric uid with a passwd entry uses its group; :group overrides", () => {
    expect(resolveExecUser("999", view()).gid).toBe(999);
    expect(resolveExecUser("svc:staff", view()).gid).toBe(50);
  });

  test("empty USER is root", () => {
    expect(resolveExecUser("", view())).toMatchObject({ uid: 0, gid: 0, home: "/root" });
  });
});

test("passwd lines with bad ids are skipped", () => {
  expect(parsePasswd("x:x:1:a:\ny:x:2:3:::").map((u) => u.name)).toEqual(["y"]);
});
