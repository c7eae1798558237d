import { goQuote } from "../../../src/parser/go-quote";

describe("goQuote (Go strconv.Quote)", () => {
  it.each([
    ["plain", '"plain"'],
    ['say "hi" \\ now', '"say \\"hi\\" \\\\ now"'],
    ["\x07\b\f\n\r\t\v", '"\\a\\b\\f\\n\\r\\t\\v"'],
    ["\0\x1b\x7f", '"\\x00\\x1b\\x7f"'],
    ["☃ é 😀", '"☃ é 😀"'],
    ["\u00a0\u2028\u200b", '"\\u00a0\\u2028\\u200b"'],
    ["\u{e0001}", '"\\U000e0001"'],
  ])("%j → %s", (input, quoted) => {
    expect(goQuote(input)).toBe(quoted);
  });
});
