import { errorOf, parseAs } from "./helpers";

const SUM = "sha256:" + "a".repeat(64);

describe("ADD", () => {
  test(`ADD --checksum=${SUM} https://example.com/x.tgz /x.tgz`, () => {
    const add = parseAs("ADD", `ADD --checksum=${SUM} https://example.com/x.tgz /x.tgz`);
    expect(add.checksum).toBe(SUM);
    expect(add.unpack).toBeUndefined();
    expect(add.keepGitDir).toBe(false);
  });

  test("ADD --keep-git-dir=true --unpack=false --chown=1000 repo.git /src", () => {
    const add = parseAs("ADD", "ADD --keep-git-dir=true --unpack=false --chown=1000 repo.git /src");
    expect([add.keepGitDir, add.unpack, add.chown]).toEqual([true, false, "1000"]);
  });

  test("ADD --checksum=md5:abc x /y", () => {
    const err = errorOf("ADD --checksum=md5:abc x /y");
    expect(err.problem).toBe(
      'invalid --checksum=md5:abc for ADD: unsupported digest algorithm "md5" (sha256, sha384 or sha512)',
    );
    expect(err.column).toBe(16);
  });

  test("ADD --checksum=sha256:ABC x /y", () => {
    expect(errorOf("ADD --checksum=sha256:ABC x /y").problem).toBe(
      "invalid --checksum=sha256:ABC for ADD: invalid checksum digest length: a sha256 digest has 64 hex digits",
    );
    const upper = `sha256:${"A".repeat(64)}`;
    expect(errorOf(`ADD --checksum=${upper} x /y`).problem).toBe(
      `invalid --checksum=${upper} for ADD: invalid checksum digest format: a sha256 digest is lowercase hex`,
    );
  });

  test("ADD --checksum without an algorithm, or outside go-digest's grammar", () => {
    for (const bad of ["abc", ":abc", "sha256:", "x!y:abc"]) {
      expect(errorOf(`ADD --checksum=${bad} x /y`).problem).toContain("invalid checksum digest format");
    }
  });

  test("ADD --from=build x /y (COPY only)", () => {
    const err = errorOf("ADD --from=build x /y");
    expect(err.problem).toBe("unknown flag: from for ADD");
    expect(err.column).toBe(5);
  });

  test("ADD --unpak x /y", () => {
    expect(errorOf("ADD --unpak x /y").problem).toBe("unknown flag: unpak for ADD (did you mean unpack?)");
  });
});
