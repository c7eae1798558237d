import { OutputTail } from "../../src/executor/output-tail";

describe("OutputTail", () => {
  test("keeps the last lines across chunk boundaries", () => {
    const tail = new OutputTail(3);
    tail.push(Buffer.from("one\ntw"));
    tail.push(Buffer.from("o\r\nthree\nfour\nfi"));
    expect(tail.lines()).toEqual(["three", "four", "fi"]);
    tail.push(Buffer.from("ve\n"));
    expect(tail.lines()).toEqual(["three", "four", "five"]);
  });

  test("bounds the length of a line, even one that never ends", () => {
    const tail = new OutputTail(2, 10);
    for (let i = 0; i < 1000; i++) tail.push(Buffer.from("x".repeat(1000)));
    expect(tail.lines()).toEqual([`${"x".repeat(10)}…`]);
  });
});
