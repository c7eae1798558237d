import { UsageError } from "../../src/errors";
import { parseFields, parseKeyValues } from "../../src/cli/key-value";
import { parseSecretSpec, parseSecretSpecs } from "../../src/cli/secret-spec";
import { humanDuration, timeAgo } from "../../src/cli/human-time";
import { splitTag } from "../../src/cli/stored-image";
import { formatTable } from "../../src/cli/table";

describe("--secret", () => {
  test.each([
    ["id=npm,src=/run/npmrc", { id: "npm", src: "/run/npmrc" }],
    ["id=npm,source=/run/npmrc", { id: "npm", src: "/run/npmrc" }],
    ["type=file,id=npm,src=x", { id: "npm", src: "x" }],
    ["id=tok,env=GITHUB_TOKEN", { id: "tok", env: "GITHUB_TOKEN" }],
    ["type=env,id=GITHUB_TOKEN", { id: "GITHUB_TOKEN", env: "GITHUB_TOKEN" }],
    ["type=env,id=tok,src=GITHUB_TOKEN", { id: "tok", env: "GITHUB_TOKEN" }],
    ["env=GITHUB_TOKEN,id=tok", { id: "tok", env: "GITHUB_TOKEN" }],
    // buildx's short form: the variable named like the id when set, else the file of that name.
    ["id=SET_VAR", { id: "SET_VAR", env: "SET_VAR" }],
    ["id=unset.txt", { id: "unset.txt", src: "unset.txt" }],
    ["type=file,id=SET_VAR", { id: "SET_VAR", src: "SET_VAR" }],
  ])("%s", (text, expected) => {
    expect(parseSecretSpec(text, { SET_VAR: "x" })).toEqual(expected);
  });

  test.each([
    ["src=x", /missing id=/],
    ["id=a,type=ssh", /unknown type "ssh"/],
    ["id=a,src=x,mode=0400", /unknown field "mode"/],
    ["id=a,src=x,env=Y", /give src= or env=, not both/],
    ["id=a,type=file,env=X", /type=file takes src=/],
    ["id=a,id=b,src=x", /field "id" given twice/],
    ["id", /invalid field "id"/],
  ])("%s is a usage error naming --secret", (text, message) => {
    expect(() => parseSecretSpec(text)).toThrow(UsageError);
    expect(() => parseSecretSpec(text)).toThrow(message);
    expect(() => parseSecretSpec(text)).toThrow(/^--secret: /);
  });

  test("the same id twice is refused", () => {
    expect(() => parseSecretSpecs(["id=a,src=x", "id=a,env=Y"])).toThrow('--secret: id "a" given twice');
  });
});

describe("key=value flags", () => {
  test("--label keeps '=' in values and the last value wins", () => {
    expect(parseKeyValues("--label", ["a=1", "b=x=y", "a=2", "empty="])).toEqual({
      a: "2",
      b: "x=y",
      empty: "",
    });
    expect(() => parseKeyValues("--label", ["=v"])).toThrow('--label: invalid value "=v"');
  });
  test("field lists lower-case their keys", () => {
    expect([...parseFields("--x", "Type=oci,DEST=a")]).toEqual([
      ["type", "oci"],
      ["dest", "a"],
    ]);
  });
});

describe("listings", () => {
  test("docker's human durations", () => {
    const now = Date.parse("2024-06-01T00:00:00Z");
    const ago = (ms: number): string => timeAgo(new Date(now - ms).toISOString(), now);
    expect(ago(500)).toBe("Less than a second ago");
    expect(ago(1000)).toBe("1 second ago");
    expect(ago(59_000)).toBe("59 seconds ago");
    expect(ago(90_000)).toBe("About a minute ago");
    expect(ago(45 * 60_000)).toBe("45 minutes ago");
    expect(ago(70 * 60_000)).toBe("About an hour ago");
    expect(ago(47 * 3_600_000)).toBe("47 hours ago");
    expect(ago(3 * 86_400_000)).toBe("3 days ago");
    expect(ago(20 * 86_400_000)).toBe("2 weeks ago");
    expect(ago(100 * 86_400_000)).toBe("3 months ago");
    expect(humanDuration(3 * 365 * 86_400_000)).toBe("3 years");
    expect(timeAgo("garbage", now)).toBe("N/A");
  });

  test("REPOSITORY and TAG columns", () => {
    expect(splitTag("hello:latest")).toEqual(["hello", "latest"]);
    expect(splitTag("docker.io/library/busybox:1.36")).toEqual(["busybox", "1.36"]);
    expect(splitTag("docker.io/me/app:v1")).toEqual(["me/app", "v1"]);
    expect(splitTag("localhost:5000/team/app")).toEqual(["localhost:5000/team/app", "latest"]);
    expect(splitTag("localhost:5000/team/app:v2")).toEqual(["localhost:5000/team/app", "v2"]);
  });

  test("tables pad every column but the last by three spaces past the widest cell", () => {
    expect(formatTable(["A", "BB", "C"], [["xxx", "y", "z"]])).toBe("A     BB   C\nxxx   y    z\n");
  });
});
