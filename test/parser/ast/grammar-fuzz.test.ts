import fc from "fast-check";
import { DockerfileError } from "../../../src/parser/errors";
import { loadDockerfile } from "../../../src/parser/load";

/**
 * Grammar-aware fuzzing of the whole parse → type → stage → lint path: 100,000 generated
 * Dockerfiles (FUZZ_GRAMMAR_RUNS to change), each either loads or fails with a DockerfileError that
 * has a file, a line and a column inside the text — never anything else (no TypeError, RangeError,
 * internal error, hang).
 *
 * Generation is cheap on purpose: fast-check draws a short list of integers and a tiny
 * interpreter below turns them into a Dockerfile by walking a grammar of instructions, flags,
 * words, quotes, variables, heredocs and continuations. Shrinking works on the integers.
 */
const RUNS = Number(process.env.FUZZ_GRAMMAR_RUNS ?? 100_000);

const KEYWORDS = [
  "FROM",
  "RUN",
  "CMD",
  "LABEL",
  "MAINTAINER",
  "EXPOSE",
  "ENV",
  "ADD",
  "COPY",
  "ENTRYPOINT",
  "VOLUME",
  "USER",
  "WORKDIR",
  "ARG",
  "ONBUILD",
  "STOPSIGNAL",
  "HEALTHCHECK",
  "SHELL",
  "from",
  "Run",
  "copy",
  "BOGUS",
];
const FLAGS = [
  "--from=",
  "--chown=",
  "--chmod=",
  "--link",
  "--parents",
  "--exclude=",
  "--checksum=",
  "--unpack",
  "--keep-git-dir",
  "--platform=",
  "--mount=",
  "--network=",
  "--security=",
  "--interval=",
  "--timeout=",
  "--retries=",
  "--start-period=",
  "--",
  "--x=",
];
const VALUES = [
  "",
  "a",
  "0",
  "1s",
  "30",
  "root:root",
  "755",
  "u+x",
  "sha256:" + "a".repeat(64),
  "type=cache,target=/c",
  "type=bind,from=a,source=/,target=/b",
  "type=secret,id=s",
  "none",
  "host",
  "linux/amd64",
  "$ARG",
  "${V:-x}",
];
const WORDS = [
  "a",
  "b/c",
  "/abs",
  ".",
  "..",
  "*",
  "?",
  "[a-z]",
  "x=y",
  "k=",
  "=v",
  '"q w"',
  "'s q'",
  "$V",
  "${V}",
  "${V:-d}",
  "${V:+a}",
  "${V#*}",
  "${V%%x}",
  "${V//a/b}",
  "${",
  "${V",
  "}",
  "\\",
  "\\ ",
  "`",
  "#",
  "<<EOF",
  "<<-EOT",
  "<<'Q'",
  '<<"R"',
  "3<<X",
  "[",
  "]",
  '["a","b"]',
  '[ "x" ]',
  "[1]",
  "é",
  "😀",
  "\t",
  "AS",
  "as",
  "stage",
  "scratch",
  "http://h/f",
  "8080/tcp",
  "1-3/udp",
  "SIGTERM",
  "NONE",
  "CMD",
  "\0",
  "\ud800",
  "\u00a0",
  "\r",
];

/** Turns integers into a Dockerfile; each draw picks from a list (wrapping around). */
function render(choices: readonly number[]): string {
  let i = 0;
  const next = (): number => choices[i++ % choices.length] ?? 0;
  const pick = <T>(list: readonly T[]): T => list[next() % list.length];
  const lines: string[] = [];
  const head = next() % 5;
  if (head === 1) lines.push("# syntax=docker/dockerfile:1");
  if (head === 2) lines.push("# escape=`");
  if (head === 3) lines.push("# check=error=true");
  if (head === 4) lines.push("ARG V=1", "ARG B=base");
  const count = 1 + (next() % 8);
  for (let n = 0; n < count && i < choices.length * 2; n++) {
    const kind = next() % 10;
    if (kind === 0) {
      lines.push(pick(["", "# c", "  ", "#"]));
      continue;
    }
    let line = pick(KEYWORDS);
    if (next() % 3 === 0) line += " " + pick(FLAGS) + (next() % 2 === 0 ? pick(VALUES) : "");
    const words = next() % 5;
    for (let w = 0; w < words; w++) {
      line += pick([" ", "  ", "\t", " \\\n  ", " `\n", " \\\n# mid\n"]) + pick(WORDS);
    }
    lines.push(line);
    if (/<</.test(line) && next() % 4 !== 0) {
      const m = /<<-?['"]?([A-Za-z]+)/.exec(line);
      lines.push(pick(["echo $V", "\tbody", "", "x \\"]));
      if (m && next() % 5 !== 0) lines.push(pick(["", "\t"]) + m[1]);
    }
  }
  return lines.join(pick(["\n", "\r\n"])) + (next() % 2 === 0 ? "\n" : "");
}

function check(text: string): void {
  try {
    loadDockerfile(text, { file: "fuzz/Dockerfile" });
  } catch (err) {
    if (!(err instanceof DockerfileError) || err.code === "DOCKERFILE_INTERNAL") throw err;
    const lineCount = text.split("\n").length;
    if (
      err.file !== "fuzz/Dockerfile" ||
      !(err.line >= 1 && err.line <= lineCount + 1) ||
      !(err.column >= 1)
    ) {
      throw new Error(
        `badly located error ${err.file}:${err.line}:${err.column} (${lineCount} lines): ${err.message}`,
      );
    }
    expect(typeof err.render()).toBe("string");
  }
}

describe("grammar-aware parser fuzzing", () => {
  it(`${RUNS} generated Dockerfiles: success or a located DockerfileError, nothing else`, () => {
    const started = Date.now();
    const cpu = process.cpuUsage();
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 4, maxLength: 48 }), (choices) => check(render(choices))),
      { numRuns: RUNS },
    );
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    process.stderr.write(
      `grammar fuzz: ${RUNS} Dockerfiles in ${((Date.now() - started) / 1000).toFixed(1)} s (${cpuSeconds.toFixed(1)} s CPU)\n`,
    );
    // CPU time, not wall time: the bound must hold on a machine shared with other suites.
    expect(cpuSeconds).toBeLessThan(60 * (RUNS / 100_000));
  });
});
