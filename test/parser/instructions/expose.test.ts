import { parsePortSpec } from "../../../src/parser/instructions/port";
import { errorOf, parseAs } from "./helpers";

describe("EXPOSE", () => {
  test("EXPOSE 80 443/tcp 53/udp 9000-9010/sctp $PORT", () => {
    const expose = parseAs("EXPOSE", "EXPOSE 80 443/tcp 53/udp 9000-9010/sctp $PORT");
    expect(expose.ports.map((w) => w.value)).toEqual(["80", "443/tcp", "53/udp", "9000-9010/sctp", "$PORT"]);
  });

  test("EXPOSE 80/TCP (protocol case is a lint matter)", () => {
    expect(parsePortSpec("80/TCP")).toEqual({ start: 80, end: 80, protocol: "tcp" });
  });

  test("EXPOSE 80/http", () => {
    const err = errorOf("EXPOSE 80 80/http");
    expect(err.problem).toBe('EXPOSE: invalid protocol "http" in port "80/http" (expected tcp, udp or sctp)');
    expect(err.column).toBe(11);
  });

  test("EXPOSE 70000", () => {
    expect(errorOf("EXPOSE 70000").problem).toBe('EXPOSE: invalid port "70000": 70000 is outside 1-65535');
  });

  test("EXPOSE 9010-9000", () => {
    expect(errorOf("EXPOSE 9010-9000").problem).toBe(
      'EXPOSE: invalid port range "9010-9000": 9000 is lower than 9010',
    );
  });

  test("EXPOSE http", () => {
    expect(errorOf("EXPOSE http").problem).toMatch(/^EXPOSE: invalid port "http"/);
  });

  test("EXPOSE", () => {
    expect(errorOf("EXPOSE").problem).toBe("EXPOSE requires at least one port");
  });
});
