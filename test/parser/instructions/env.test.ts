import { errorOf, parseAs } from "./helpers";

describe("ENV", () => {
  test("ENV A=1 B=two", () => {
    const env = parseAs("ENV", "ENV A=1 B=two");
    expect(env.env.map((p) => [p.key, p.value, p.legacy])).toEqual([
      ["A", "1", false],
      ["B", "two", false],
    ]);
    expect(env.env[1].keyWord.span.start.column).toBe(9);
  });

  test("ENV PATH /usr/local/bin:/usr/bin (legacy form)", () => {
    const env = parseAs("ENV", "ENV PATH /usr/local/bin:/usr/bin");
    expect(env.env).toHaveLength(1);
    expect(env.env[0]).toMatchObject({ key: "PATH", value: "/usr/local/bin:/usr/bin", legacy: true });
  });

  test("ENV =value", () => {
    const err = errorOf("ENV =value");
    expect(err.problem).toBe("ENV names can not be blank");
    expect(err.column).toBe(5);
  });

  test("ENV", () => {
    expect(errorOf("ENV").problem).toBe("ENV requires at least one key=value pair");
  });

  test("ENV --x=1 A=1 (ENV takes no flags)", () => {
    const err = errorOf("ENV --x=1 A=1");
    expect(err.problem).toBe("unknown flag: x for ENV (ENV takes no flags)");
    expect(err.column).toBe(5);
  });
});

describe("LABEL", () => {
  test("LABEL org.opencontainers.image.title=web version=1.0", () => {
    const label = parseAs("LABEL", "LABEL org.opencontainers.image.title=web version=1.0");
    expect(label.labels.map((p) => [p.key, p.value])).toEqual([
      ["org.opencontainers.image.title", "web"],
      ["version", "1.0"],
    ]);
  });

  test("LABEL", () => {
    expect(errorOf("LABEL").problem).toBe("LABEL requires at least one key=value pair");
  });
});
