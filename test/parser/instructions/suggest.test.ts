import { editDistance, suggest } from "../../../src/parser/suggest";

describe("did-you-mean", () => {
  test("edit distance", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("same", "same")).toBe(0);
  });

  test("suggests close candidates only", () => {
    expect(suggest("COPPY", ["FROM", "COPY", "ADD"])).toBe("COPY");
    expect(suggest("--chmood", ["--chown", "--chmod"])).toBe("--chmod");
    expect(suggest("XYZZY", ["FROM", "COPY"])).toBeUndefined();
    expect(suggest("copy", ["COPY"])).toBe("COPY");
  });
});
