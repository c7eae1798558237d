import { InvalidReferenceError } from "../../src/registry/errors";
import { allowsPlainHttp, apiHost, formatReference, parseReference } from "../../src/registry/reference";

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
