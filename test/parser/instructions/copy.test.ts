import { errorOf, parseAs } from "./helpers";

describe("COPY", () => {
  test("COPY src/ /app/", () => {
    const copy = parseAs("COPY", "COPY src/ /app/");
    expect(copy.sources.map((w) => w.value)).toEqual(["src/"]);
    expect(copy.dest.value).toBe("/app/");
    expect([copy.link, copy.parents, copy.exclude]).toEqual([false, false, []]);
  });

  test("COPY --from=build --chown=app:app --chmod=0755 --link /out/bin a b /usr/local/bin/", () => {
    const copy = parseAs(
      "COPY",
      "COPY --from=build --chown=app:app --chmod=0755 --link /out/bin a b /usr/local/bin/",
    );
    expect(copy.from).toBe("build");
    expect(copy.chown).toBe("app:app");
    expect(copy.chmod).toBe("0755");
    expect(copy.link).toBe(true);
    expect(copy.sources.map((w) => w.value)).toEqual(["/out/bin", "a", "b"]);
  });

  test("COPY --chmod=u+x,g-w,o=rX script.sh /bin/", () => {
    expect(parseAs("COPY", "COPY --chmod=u+x,g-w,o=rX script.sh /bin/").chmod).toBe("u+x,g-w,o=rX");
  });

  test("COPY --parents --exclude=*.md --exclude=test/ ./docs/ /d/", () => {
    const copy = parseAs("COPY", "COPY --parents --exclude=*.md --exclude=test/ ./docs/ /d/");
    expect(copy.parents).toBe(true);
    expect(copy.exclude).toEqual(["*.md", "test/"]);
  });

  test("COPY --link=false a /b", () => {
    expect(parseAs("COPY", "COPY --link=false a /b").link).toBe(false);
  });

  test('COPY ["a file", "/dest/"]', () => {
    const copy = parseAs("COPY", 'COPY ["a file", "/dest/"]');
    expect(copy.sources.map((w) => w.value)).toEqual(["a file"]);
    expect(copy.dest.value).toBe("/dest/");
  });

  test("COPY --chmod=$MODE a /b (checked after expansion)", () => {
    expect(parseAs("COPY", "COPY --chmod=$MODE a /b").chmod).toBe("$MODE");
  });

  test("COPY --chmood=755 a /b", () => {
    const err = errorOf("COPY --chmood=755 a /b");
    expect(err.problem).toBe("unknown flag: chmood for COPY (did you mean chmod?)");
    expect([err.line, err.column, err.span.end.column]).toEqual([1, 6, 13]);
  });

  test("COPY --from a /b", () => {
    const err = errorOf("COPY --from a /b");
    expect(err.problem).toBe("missing value for flag --from");
    expect(err.column).toBe(6);
  });

  test("COPY --from=a --from=b x /y", () => {
    const err = errorOf("COPY --from=a --from=b x /y");
    expect(err.problem).toBe("duplicate flag --from for COPY");
    expect(err.column).toBe(15);
  });

  test("COPY --chmod=8755 a /b", () => {
    const err = errorOf("COPY --chmod=8755 a /b");
    expect(err.problem).toBe(
      "invalid --chmod=8755 for COPY: invalid chmod parameter: '8755'. it should be octal string and between 0 and 07777",
    );
    expect(err.column).toBe(14);
  });

  test("COPY --chmod=u+q a /b", () => {
    expect(errorOf("COPY --chmod=u+q a /b").problem).toMatch(/^invalid --chmod=u\+q for COPY/);
  });

  test("COPY --chmod=77777 a /b", () => {
    expect(errorOf("COPY --chmod=77777 a /b").problem).toBe(
      "invalid --chmod=77777 for COPY: invalid chmod parameter: '77777'. it should be octal string and between 0 and 07777",
    );
  });

  test("COPY --chown=app: a /b", () => {
    const err = errorOf("COPY --chown=app: a /b");
    expect(err.problem).toBe("invalid --chown=app: for COPY: the group is empty");
    expect(err.column).toBe(14);
  });

  test("COPY --link=yes a /b", () => {
    const err = errorOf("COPY --link=yes a /b");
    expect(err.problem).toBe('invalid value for flag --link: "yes" (expected true or false)');
    expect(err.column).toBe(13);
  });

  test("COPY onlyone", () => {
    const err = errorOf("COPY onlyone");
    expect(err.problem).toBe(
      "COPY requires at least two arguments (sources and a destination), but only one was given",
    );
    expect(err.column).toBe(6);
  });

  test("COPY --checksum=sha256:abc a /b (ADD only)", () => {
    expect(errorOf("COPY --checksum=sha256:abc a /b").problem).toBe("unknown flag: checksum for COPY");
  });
});
