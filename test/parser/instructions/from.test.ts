import { errorOf, parseAs } from "./helpers";

describe("FROM", () => {
  test("FROM alpine:3.19", () => {
    const from = parseAs("FROM", "FROM alpine:3.19");
    expect(from.baseName).toBe("alpine:3.19");
    expect(from.stageName).toBeUndefined();
    expect(from.platform).toBeUndefined();
  });

  test("FROM --platform=$BUILDPLATFORM golang:1.22 AS build", () => {
    const from = parseAs("FROM", "FROM --platform=$BUILDPLATFORM golang:1.22 AS build");
    expect(from.platform).toBe("$BUILDPLATFORM");
    expect(from.baseName).toBe("golang:1.22");
    expect(from.stageName).toBe("build");
  });

  test("from busybox as Builder.v2 (AS is case-insensitive, the name is kept as written)", () => {
    const from = parseAs("FROM", "from busybox as Builder.v2");
    expect(from.stageName).toBe("Builder.v2");
    expect(from.asWord?.value).toBe("as");
  });

  test("FROM --platform=linux/arm64/v8 scratch", () => {
    expect(parseAs("FROM", "FROM --platform=linux/arm64/v8 scratch").platform).toBe("linux/arm64/v8");
  });

  test("FROM alpine AS 1st is an invalid stage name", () => {
    const err = errorOf("FROM alpine AS 1st");
    expect(err.problem).toMatch(/^invalid stage name "1st"/);
    expect([err.line, err.column]).toEqual([1, 16]);
  });

  test("FROM alpine INTO build needs AS", () => {
    const err = errorOf("FROM alpine INTO build");
    expect(err.problem).toBe('expected AS after the image name, found "INTO"');
    expect(err.column).toBe(13);
  });

  test("FROM alpine AS has two arguments", () => {
    const err = errorOf("FROM alpine AS");
    expect(err.problem).toMatch(/^FROM requires either one or three arguments/);
    expect(err.column).toBe(13);
  });

  test("FROM --platform=linux//amd64 alpine", () => {
    const err = errorOf("FROM --platform=linux//amd64 alpine");
    expect(err.problem).toMatch(/^invalid --platform value "linux\/\/amd64"/);
    expect(err.column).toBe(17);
  });
});
