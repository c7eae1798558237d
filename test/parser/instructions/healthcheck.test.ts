import { errorOf, parseAs } from "./helpers";

describe("HEALTHCHECK", () => {
  test("HEALTHCHECK --interval=1m30s --timeout=10s --start-period=5s --start-interval=500ms --retries=3 CMD curl -f http://localhost/", () => {
    const hc = parseAs(
      "HEALTHCHECK",
      "HEALTHCHECK --interval=1m30s --timeout=10s --start-period=5s --start-interval=500ms --retries=3 CMD curl -f http://localhost/",
    );
    expect(hc.health).toEqual({
      test: ["CMD-SHELL", "curl -f http://localhost/"],
      interval: 90e9,
      timeout: 10e9,
      startPeriod: 5e9,
      startInterval: 500e6,
      retries: 3,
    });
  });

  test('HEALTHCHECK CMD ["/bin/check", "-q"]', () => {
    expect(parseAs("HEALTHCHECK", 'HEALTHCHECK CMD ["/bin/check", "-q"]').health.test).toEqual([
      "CMD",
      "/bin/check",
      "-q",
    ]);
  });

  test("healthcheck none", () => {
    expect(parseAs("HEALTHCHECK", "healthcheck none").health).toEqual({ test: ["NONE"] });
  });

  test("HEALTHCHECK --interval=0s CMD true (zero means the default)", () => {
    expect(parseAs("HEALTHCHECK", "HEALTHCHECK --interval=0s CMD true").health.interval).toBe(0);
  });

  test("HEALTHCHECK --interval=5x CMD true", () => {
    const err = errorOf("HEALTHCHECK --interval=5x CMD true");
    expect(err.problem).toMatch(/^HEALTHCHECK --interval: invalid duration 5x/);
    expect([err.column, err.span.end.column]).toEqual([24, 25]);
  });

  test("HEALTHCHECK --timeout=10 CMD true (a unit is required)", () => {
    expect(errorOf("HEALTHCHECK --timeout=10 CMD true").problem).toMatch(
      /^HEALTHCHECK --timeout: invalid duration 10/,
    );
  });

  test("HEALTHCHECK --interval=500us CMD true", () => {
    expect(errorOf("HEALTHCHECK --interval=500us CMD true").problem).toBe(
      "HEALTHCHECK --interval: duration 500us is less than the minimum 1ms",
    );
  });

  test("HEALTHCHECK --retries=-1 CMD true", () => {
    const err = errorOf("HEALTHCHECK --retries=-1 CMD true");
    expect(err.problem).toBe("HEALTHCHECK --retries: invalid count -1 (expected a non-negative integer)");
    expect(err.column).toBe(23);
  });

  test("HEALTHCHECK NONE extra", () => {
    const err = errorOf("HEALTHCHECK NONE extra");
    expect(err.problem).toBe("HEALTHCHECK NONE takes no arguments");
    expect(err.column).toBe(18);
  });

  test("HEALTHCHECK --interval=5s NONE", () => {
    const err = errorOf("HEALTHCHECK --interval=5s NONE");
    expect(err.problem).toBe("HEALTHCHECK NONE takes no options");
    expect(err.column).toBe(13);
  });

  test("HEALTHCHECK CMD", () => {
    const err = errorOf("HEALTHCHECK CMD");
    expect(err.problem).toBe("HEALTHCHECK CMD requires a command");
    expect(err.column).toBe(13);
  });

  test("HEALTHCHECK CONNECT tcp", () => {
    const err = errorOf("HEALTHCHECK CONNECT tcp");
    expect(err.problem).toBe('unknown HEALTHCHECK type "CONNECT" (expected CMD or NONE)');
    expect(err.column).toBe(13);
  });

  test("HEALTHCHECK --intervall=5s CMD true", () => {
    expect(errorOf("HEALTHCHECK --intervall=5s CMD true").problem).toBe(
      "unknown flag: intervall for HEALTHCHECK (did you mean interval?)",
    );
  });
});
