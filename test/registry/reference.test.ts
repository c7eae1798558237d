import { InvalidReferenceError } from "../../src/registry/errors";
import { normalizeRepoTag } from "../../src/output/docker-archive";
import { InvalidTagError } from "../../src/output/errors";
import { splitTag } from "../../src/cli/stored-image";
import {
  allowsPlainHttp,
  apiHost,
  familiarString,
  formatReference,
  localImageKey,
  parseReference,
  parseTag,
} from "../../src/registry/reference";

const D = "sha256:" + "ab".repeat(32);

describe("parseReference (Docker normalization)", () => {
  it.each([
    ["alpine", "docker.io/library/alpine:latest"],
    ["alpine:3.19", "docker.io/library/alpine:3.19"],
    ["library/alpine", "docker.io/library/alpine:latest"],
    ["user/app:v1", "docker.io/user/app:v1"],
    ["docker.io/alpine", "docker.io/library/alpine:latest"],
    ["index.docker.io/library/alpine", "docker.io/library/alpine:latest"],
    ["localhost/app", "localhost/app:latest"],
    ["localhost:5000/app:dev", "localhost:5000/app:dev"],
    ["127.0.0.1:5000/x", "127.0.0.1:5000/x:latest"],
    ["host:5000/a/b/c:tag", "host:5000/a/b/c:tag"],
    ["ghcr.io/org/repo_name.with-dash__x:1.0-rc_1", "ghcr.io/org/repo_name.with-dash__x:1.0-rc_1"],
    [`alpine@${D}`, `docker.io/library/alpine@${D}`],
    [`alpine:3@${D}`, `docker.io/library/alpine:3@${D}`],
    ["[::1]:5000/x", "[::1]:5000/x:latest"],
    ["Registry.Example/x", "Registry.Example/x:latest"],
  ])("%s → %s", (input, expected) => {
    expect(formatReference(parseReference(input))).toBe(expected);
  });

  it("splits registry, repository, tag and digest", () => {
    expect(parseReference(`127.0.0.1:5000/a/b:t@${D}`)).toEqual({
      registry: "127.0.0.1:5000",
      repository: "a/b",
      tag: "t",
      digest: D,
    });
    expect(parseReference(`x@${D}`).tag).toBeUndefined();
  });

  it.each([
    ["", "empty reference"],
    ["Alpine", "must be lowercase"],
    ["host:5000/App", "must be lowercase"],
    ["alpine:", "invalid tag"],
    ["alpine:-bad", "invalid tag"],
    ["alpine:" + "x".repeat(129), "invalid tag"],
    ["a//b", "invalid repository path component"],
    ["a/-b", "invalid repository path component"],
    ["a b", "whitespace"],
    ["alpine@sha256:abc", "unsupported digest"],
    ["alpine@md5:" + "a".repeat(32), "unsupported digest"],
    ["alpine@", "invalid digest"],
    ["ab".repeat(32), "image ID"],
    ["host:port/x", "invalid registry host"],
    ["-host.io/x", "invalid registry host"],
    ["a/" + "b".repeat(260), "longer than 255"],
    [":tag", "missing repository name"],
  ])("rejects %j (%s)", (input, why) => {
    let err: unknown;
    try {
      parseReference(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidReferenceError);
    expect((err as InvalidReferenceError).code).toBe("REFERENCE_INVALID");
    expect((err as Error).message).toContain(why);
    expect((err as Error).message).toMatch(/^parse image reference /);
  });
});

describe("plain HTTP policy", () => {
  it("allows loopback only, plus hosts listed as insecure", () => {
    for (const h of ["localhost", "localhost:5000", "127.0.0.1:5000", "127.9.8.7", "[::1]:5000"])
      expect(allowsPlainHttp(h)).toBe(true);
    for (const h of ["docker.io", "10.0.0.1:5000", "128.0.0.1", "localhost.evil.com", "127.0.0.1.nip.io"])
      expect(allowsPlainHttp(h)).toBe(false);
    expect(allowsPlainHttp("reg.lan:5000", ["reg.lan:5000"])).toBe(true);
    expect(allowsPlainHttp("reg.lan:5000", ["reg.lan"])).toBe(true);
    expect(allowsPlainHttp("reg.lan:5000", ["other.lan"])).toBe(false);
  });
  it("talks to Docker Hub at registry-1.docker.io", () => {
    expect(apiHost("docker.io")).toBe("registry-1.docker.io");
    expect(apiHost("ghcr.io")).toBe("ghcr.io");
  });
});

describe("one parser for tags, FROM, outputs and the CLI", () => {
  it.each([
    ["hello", "hello:latest"],
    ["docker.io/library/hello", "hello:latest"],
    ["index.docker.io/library/hello:1", "hello:1"],
    ["docker.io/team/app", "team/app:latest"],
    ["library/hello", "hello:latest"],
    ["localhost:5000/team/hello:v1", "localhost:5000/team/hello:v1"],
    ["[::1]:5000/app", "[::1]:5000/app:latest"],
    [`app@${D}`, `app@${D}`],
  ])("%s has the familiar form %s", (input, familiar) => {
    expect(familiarString(parseReference(input))).toBe(familiar);
    expect(localImageKey(input)).toBe(familiar);
  });

  it("an image ID prefix or a bad name is no local key (lookups fall back to IDs)", () => {
    expect(localImageKey("Bad Name")).toBeUndefined();
    expect(localImageKey("a".repeat(64))).toBeUndefined();
  });

  it("tags take no digest", () => {
    expect(() => parseTag(`app@${D}`)).toThrow(/a tag cannot carry a digest/);
    expect(parseTag("app").tag).toBe("latest");
  });

  // Before: six hand-written copies. Each row is an input on which they disagreed.
  it("the image index, `images`, Docker archives and -t agree where the copies did not", () => {
    // normalizeTag stored "docker.io/library/hello:latest" (so FROM hello missed it) while
    // `images` showed "hello"; Docker archives kept the long form.
    expect(localImageKey("docker.io/library/hello")).toBe("hello:latest");
    expect(normalizeRepoTag("docker.io/library/hello")).toBe("hello:latest");
    expect(splitTag("docker.io/library/hello:latest")).toEqual(["hello", "latest"]);
    // -t's regex refused IPv6 registries that FROM and push accepted.
    expect(parseTag("[::1]:5000/app:1").registry).toBe("[::1]:5000");
    expect(normalizeRepoTag("[::1]:5000/app:1")).toBe("[::1]:5000/app:1");
    // -t's regex accepted names over 255 characters that the registry refused.
    expect(() => parseTag(`registry.example/${"a".repeat(250)}`)).toThrow(/longer than 255/);
    // The API tagged "Foo:latest" (no check) though a Docker archive refused it.
    expect(() => parseTag("Foo")).toThrow(/lowercase/);
    expect(() => normalizeRepoTag("Foo")).toThrow(InvalidTagError);
    // A digest reference has no tag in `images`, a plain name means :latest.
    expect(splitTag(`app@${D}`)).toEqual(["app", "<none>"]);
    expect(splitTag("app")).toEqual(["app", "latest"]);
  });
});
