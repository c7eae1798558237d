import { applyChmod } from "../../src/copy/chmod";

describe("--chmod", () => {
  test.each([
    ["755", 0o600, false, 0o755],
    ["0640", 0o777, false, 0o640],
    ["u+x", 0o644, false, 0o744],
    ["go-w", 0o666, false, 0o644],
    ["a=r", 0o755, false, 0o444],
    ["u=rwx,g=rx,o=", 0o600, false, 0o750],
    ["+x", 0o644, false, 0o755],
    ["a+X", 0o644, false, 0o644],
    ["a+X", 0o744, false, 0o755],
    ["a+X", 0o644, true, 0o755],
    ["g=u", 0o640, false, 0o660],
    ["u+s,g+s", 0o755, false, 0o6755],
    ["+t", 0o777, true, 0o1777],
  ])("%s on %o (dir=%s) gives %o", (spec, mode, isDir, expected) => {
    expect(applyChmod(mode, spec, isDir)).toBe(expected);
  });
});
