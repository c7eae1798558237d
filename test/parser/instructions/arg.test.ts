import { errorOf, parseAs } from "./helpers";

describe("ARG", () => {
  test("ARG VERSION=1.2 DEBUG", () => {
    const arg = parseAs("ARG", "ARG VERSION=1.2 DEBUG");
    expect(arg.args.map((a) => [a.name, a.defaultValue])).toEqual([
      ["VERSION", "1.2"],
      ["DEBUG", undefined],
    ]);
  });

  test("ARG EMPTY= (an empty default is a default)", () => {
    expect(parseAs("ARG", "ARG EMPTY=").args[0].defaultValue).toBe("");
  });

  test("ARG =1", () => {
    const err = errorOf("ARG A =1");
    expect(err.problem).toBe("ARG names can not be blank");
    expect(err.column).toBe(7);
  });

  test("ARG", () => {
    expect(errorOf("ARG").problem).toBe("ARG requires at least one name");
  });
});
