import { DockerfileError } from "../../../src/parser/errors";
import { loadDockerfile } from "../../../src/parser/load";

function loadError(text: string): DockerfileError {
  try {
    loadDockerfile(text, { file: "app/Dockerfile" });
  } catch (err) {
    if (err instanceof DockerfileError) return err;
    throw err;
  }
  throw new Error("expected the Dockerfile to be rejected");
}

const SUM = "sha256:" + "0".repeat(63);

/** [Dockerfile, problem, line, column]: each a distinct way to get a Dockerfile wrong. */
const CASES: [string, string | RegExp, number, number][] = [
  ["FROM alpine\nCOPPY a /b\n", "unknown instruction: COPPY (did you mean COPY?)", 2, 1],
  ["FROM alpine\n  RUNN make\n", "unknown instruction: RUNN (did you mean RUN?)", 2, 3],
  ["FROM alpine\nCOPY --chmood=755 a /b\n", "unknown flag: chmood for COPY (did you mean chmod?)", 2, 6],
  ["FROM alpine\nCOPY --from a /b\n", "missing value for flag --from", 2, 6],
  ["FROM alpine\nCOPY --from=a --from=b x /y\n", "duplicate flag --from for COPY", 2, 15],
  [
    "FROM alpine\nCOPY --link=yes a /b\n",
    'invalid value for flag --link: "yes" (expected true or false)',
    2,
    13,
  ],
  ["FROM alpine\nCOPY --chmod=9 a /b\n", /^invalid --chmod=9 for COPY/, 2, 14],
  ["FROM alpine\nCOPY --chown=:grp a /b\n", "invalid --chown=:grp for COPY: the user is empty", 2, 14],
  ["FROM alpine\nCOPY onlyone\n", /^COPY requires at least two arguments/, 2, 6],
  ["FROM alpine\nADD --from=x a /b\n", "unknown flag: from for ADD", 2, 5],
  [
    `FROM alpine\nADD --checksum=${SUM} https://x/y /y\n`,
    /^invalid --checksum=sha256:0+ for ADD: invalid checksum digest length: a sha256 digest has 64/,
    2,
    16,
  ],
  [
    "FROM alpine\nRUN --mount=type=foo,target=/x true\n",
    'unsupported mount type "foo" (expected bind, cache, tmpfs, secret or ssh)',
    2,
    18,
  ],
  ["FROM alpine\nRUN --mount=type=cache,target=/x,sharing=no true\n", /^invalid --mount sharing=no/, 2, 42],
  [
    "FROM alpine\nRUN --mount=type=tmpfs,target=/x,from=a true\n",
    "unexpected key 'from' for --mount type=tmpfs",
    2,
    34,
  ],
  ["FROM alpine\nRUN --mount=type=bind true\n", "--mount type=bind requires a target", 2, 13],
  ["FROM alpine\nRUN --network=bridge true\n", /^invalid --network=bridge for RUN/, 2, 15],
  ["FROM alpine\nRUN --security=root true\n", /^invalid --security=root for RUN/, 2, 16],
  [
    "FROM alpine\nHEALTHCHECK --interval=5x CMD true\n",
    /^HEALTHCHECK --interval: invalid duration 5x/,
    2,
    24,
  ],
  [
    "FROM alpine\nHEALTHCHECK --timeout=1ns CMD true\n",
    /^HEALTHCHECK --timeout: duration 1ns is less than the minimum 1ms/,
    2,
    23,
  ],
  ["FROM alpine\nHEALTHCHECK --retries=x CMD true\n", /^HEALTHCHECK --retries: invalid count x/, 2, 23],
  [
    "FROM alpine\nHEALTHCHECK PING localhost\n",
    'unknown HEALTHCHECK type "PING" (expected CMD or NONE)',
    2,
    13,
  ],
  ["FROM alpine\nHEALTHCHECK NONE now\n", "HEALTHCHECK NONE takes no arguments", 2, 18],
  ["FROM alpine\nEXPOSE 80 8080/http\n", /^EXPOSE: invalid protocol "http"/, 2, 11],
  ["FROM alpine\nEXPOSE 0\n", /^EXPOSE: invalid port "0"/, 2, 8],
  ["FROM alpine\nSTOPSIGNAL SIGNOPE\n", /^STOPSIGNAL: invalid signal "SIGNOPE"/, 2, 12],
  ["FROM alpine\nONBUILD FROM busybox\n", "FROM isn't allowed as an ONBUILD trigger", 2, 9],
  ["FROM alpine\nSHELL /bin/bash -c\n", /^SHELL requires the arguments to be in JSON form/, 2, 7],
  ["FROM alpine\nENV =x\n", "ENV names can not be blank", 2, 5],
  ["FROM alpine\nUSER\n", "USER requires a user name or uid", 2, 1],
  ["FROM alpine AS 9lives\n", /^invalid stage name "9lives"/, 1, 16],
  ["FROM alpine FOR build\n", 'expected AS after the image name, found "FOR"', 1, 13],
  ["FROM --platform=linux/ alpine\n", /^invalid --platform value "linux\/"/, 1, 17],
  ["FROM --platfrom=linux/amd64 alpine\n", "unknown flag: platfrom for FROM (did you mean platform?)", 1, 6],
  ["ARG V=1\nRUN echo $V\nFROM alpine\n", "RUN before the first FROM: only ARG may come before FROM", 2, 1],
  ["ARG V=1\nARG W\n", "dockerfile contains no stages to build (no FROM instruction)", 2, 1],
  ["FROM alpine\nCMD --x=1 run\n", "unknown flag: x for CMD (CMD takes no flags)", 2, 5],
  ["FROM alpine\nRUN \\\n  --mount=type=cache,target=/c,mode=8 true\n", /^invalid --mount mode=8/, 3, 37],
  [
    "FROM alpine\nCOPY <<EOF <<DEST\nhello\nEOF\nx\nDEST\n",
    "COPY cannot accept a heredoc as a destination",
    2,
    12,
  ],
  [
    "# check=error=true\nFROM alpine AS Build\n",
    /^1 lint warning with check=error=true:\n {2}app\/Dockerfile:2:16: StageNameCasing/,
    2,
    16,
  ],
  [
    "# check=skip=all;error=nope\nFROM alpine\n",
    "invalid check directive: error=nope (expected true or false)",
    1,
    3,
  ],
];

describe("Dockerfile errors name the problem and point at it", () => {
  test.each(CASES)("%j", (text, problem, line, column) => {
    const err = loadError(text);
    if (typeof problem === "string") expect(err.problem).toBe(problem);
    else expect(err.problem).toMatch(problem);
    expect([err.line, err.column]).toEqual([line, column]);
    expect(err.file).toBe("app/Dockerfile");
    expect(err.message).toBe(`app/Dockerfile:${line}:${column}: ${err.problem}`);
  });

  test("there are at least 30 distinct cases", () => {
    expect(new Set(CASES.map(([, problem]) => String(problem))).size).toBeGreaterThanOrEqual(30);
  });

  test("render() shows the line and underlines the flag", () => {
    const err = loadError("FROM alpine\nCOPY --chmood=755 a /b\n");
    expect(err.render()).toBe(
      [
        "app/Dockerfile:2:6: unknown flag: chmood for COPY (did you mean chmod?)",
        "2 | COPY --chmood=755 a /b",
        "  |      ^^^^^^^^",
      ].join("\n"),
    );
  });

  test("render() underlines just the bad --mount field", () => {
    const err = loadError("FROM alpine\nRUN --mount=type=cache,target=/x,sharing=no true\n");
    expect(err.render().split("\n")[2]).toBe(`  | ${" ".repeat(41)}^^`);
  });
});
