import * as fs from "node:fs";
import * as path from "node:path";
import { MAX_EXPANDED_LENGTH } from "../../src/parser/shell";
import * as zlib from "node:zlib";
import type { HostileCase } from "./harness";
import { gzipBombLayer, rawTar } from "./layers";
import { SECRET_TEXT } from "./harness";

/** Small network limits so the network cases end in seconds. */
const fastNet = { network: { idleTimeoutMs: 800, lowSpeedLimit: 200, maxTimeMs: 20_000 } };
const df = (text: string): { Dockerfile: string } => ({ Dockerfile: text });
const doubling = Array.from({ length: 40 }, () => "ARG a=${a}${a}").join("\n");
const deep30 = Array.from({ length: 30 }, (_, i) => `d${i}`).join("/");

/** The output must not hold the sentinel's secret anywhere. */
function noSecretIn(dir: string): void {
  const walk = (p: string): void => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
    else if (st.isFile()) expect(fs.readFileSync(p, "utf8")).not.toContain(SECRET_TEXT.trim());
  };
  walk(dir);
}

export const CASES: HostileCase[] = [
  // --- The Dockerfile itself -------------------------------------------------------------------
  {
    id: "dockerfile-symlink-out",
    outcome: "E",
    title: "CONTEXT/Dockerfile is a symlink to a host file",
    anchor: "host file disclosure through a symlink (Docker CVE-2018-15664 class)",
    context: (e) => ({ Dockerfile: { link: e.secret } }),
    error: /read Dockerfile .*: it resolves to .*outside the build context.*name it with -f/,
  },
  {
    id: "dockerfile-explicit-f",
    outcome: "OK",
    title: "-f names a Dockerfile outside the context",
    anchor: "the refusal above must not break -f",
    context: () => ({ a: "a" }),
    options: (e) => {
      const file = path.join(e.target, "elsewhere.Dockerfile");
      fs.writeFileSync(file, "FROM scratch\nCOPY a /a\n");
      return { dockerfile: file };
    },
    check: (_r, out) => expect(fs.readFileSync(path.join(out, "a"), "utf8")).toBe("a"),
  },
  {
    id: "dockerfile-fifo",
    outcome: "E",
    title: "CONTEXT/Dockerfile is a FIFO",
    anchor: "hang on a non-regular file",
    context: () => ({ Dockerfile: { fifo: true } }),
    error: /not a regular file \(a FIFO\)/,
  },
  {
    id: "dockerfile-invalid-utf8",
    outcome: "E",
    title: "Dockerfile bytes that are not UTF-8",
    anchor: "crash or mis-parse on undecodable input",
    context: () => ({ Dockerfile: Buffer.from([...Buffer.from("FROM scratch\nCOPY a"), 0xff, 0x0a]) }),
    error: /Dockerfile:2:7: decode Dockerfile: invalid UTF-8 byte 0xff/,
  },
  {
    id: "dockerfile-nul-copy",
    outcome: "E",
    title: "NUL byte in a COPY source",
    anchor: "ERR_INVALID_ARG_VALUE crash (issue #14)",
    context: () => df("FROM scratch\nCOPY a\0b /x\n"),
    error: /Dockerfile:2:7: "a\\u0000b" contains a NUL byte/,
  },
  {
    id: "dockerfile-nul-workdir",
    outcome: "E",
    title: "NUL byte in WORKDIR",
    anchor: "a path cut at the NUL by the kernel",
    context: () => df("FROM scratch\nWORKDIR /a\0/../../etc\n"),
    error: /Dockerfile:2:11: .* contains a NUL byte/,
  },
  {
    id: "dockerfile-lone-surrogate",
    outcome: "E",
    title: "a lone UTF-16 surrogate in a path (API caller)",
    anchor: "names silently rewritten to U+FFFD",
    options: () => ({ dockerfileText: "FROM scratch\nWORKDIR /\ud800\n" }),
    error: /Dockerfile:2:10: .*lone surrogate \(U\+D800\)/,
  },
  {
    id: "dockerfile-huge-lines",
    outcome: "OK",
    title: "a 10 MB comment line and a 2 MB LABEL value",
    anchor: "quadratic or recursive parsing of long lines",
    context: () => df(`# ${"c".repeat(10 << 20)}\nFROM scratch\nLABEL big=${"v".repeat(2 << 20)}\n`),
    check: (r) => expect(r.config.config.Labels?.big).toHaveLength(2 << 20),
  },
  {
    id: "dockerfile-100k-instructions",
    outcome: "OK",
    title: "FROM scratch + 100,000 LABEL lines",
    anchor: "quadratic planner: 4.2 GB and out of heap after 255 s (issue #14)",
    context: () =>
      df("FROM scratch\n" + Array.from({ length: 100_000 }, (_, i) => `LABEL k${i}=v${i}`).join("\n")),
    check: (r) => expect(Object.keys(r.config.config.Labels ?? {})).toHaveLength(100_000),
    timeoutMs: 120_000,
  },
  {
    id: "expansion-wide-doubling",
    outcome: "E",
    title: "ARG a=${a}${a} forty times",
    anchor: "RangeError: Invalid string length (issue #14)",
    context: () => df(`FROM scratch\nARG a=x\n${doubling}\n`),
    error: /Dockerfile:23:11: expanded value is more than 1048576 characters longer/,
  },
  {
    id: "expansion-wide-total",
    outcome: "E",
    title: "100 LABELs each expanding a 1 MiB build arg",
    anchor: "a 100 MB image config from a 2 KB Dockerfile",
    context: () =>
      df(`FROM scratch\nARG B\n${Array.from({ length: 100 }, (_, i) => `LABEL l${i}=$B`).join("\n")}\n`),
    options: () => ({ buildArgs: { B: "b".repeat(MAX_EXPANDED_LENGTH - 16) } }),
    error: /produces more than 67108864 characters in total/,
  },
  {
    id: "expansion-deep",
    outcome: "E",
    title: "${a:-${a:-...}} nested 10,000 deep",
    anchor: "stack overflow in recursive expansion",
    context: () => df(`FROM scratch\nENV a=${"${a:-".repeat(10_000)}x${"}".repeat(10_000)}\n`),
    error: /Dockerfile:2:\d+: bad substitution: \$\{\.\.\.\} nested more than 256 levels deep/,
  },
  {
    id: "expansion-pattern-bomb",
    outcome: "E",
    title: "${A//*$B/} with two 400 KB values",
    anchor: "a hang in pattern matching (10^11 steps)",
    context: () => df("FROM scratch\nARG A\nARG B\nENV x=${A//*$B/}\n"),
    options: () => ({ buildArgs: { A: "ab".repeat(200_000), B: "ab".repeat(200_000) } }),
    error: /Dockerfile:4:7: pattern matching in this word needs more than 33554432 steps/,
  },
  {
    id: "heredoc-unterminated",
    outcome: "E",
    title: "a heredoc that never ends",
    anchor: "reading to EOF as the body, or a hang",
    context: () => df("FROM scratch\nCOPY <<EOF /x\nbody\n"),
    error: /Dockerfile:2:6: unterminated heredoc EOF/,
  },
  {
    id: "stage-cycle",
    outcome: "E",
    title: "stages that depend on each other",
    anchor: "infinite recursion in the stage graph",
    context: () => df("FROM b AS a\nFROM a AS b\n"),
    error: /circular dependency between stages/,
  },
  {
    id: "stage-chain-long",
    outcome: "OK",
    title: "3,000 stages, each FROM the previous",
    anchor: "stack overflow in recursive graph walks",
    context: () =>
      df(
        [
          "FROM scratch AS s0",
          ...Array.from({ length: 2999 }, (_, i) => `FROM s${i} AS s${i + 1}\nLABEL n=${i + 1}`),
        ].join("\n"),
      ),
    check: (r) => expect(r.config.config.Labels?.n).toBe("2999"),
    timeoutMs: 120_000,
  },
  // --- The context ------------------------------------------------------------------------------
  {
    id: "context-copy-through-symlink-out",
    outcome: "E",
    title: "COPY escape/secret where escape -> the sentinel",
    anchor: "reading host files through context symlinks (BuildKit/Kaniko symlink bugs)",
    context: (e) => ({ escape: { link: e.sentinel }, Dockerfile: "FROM scratch\nCOPY escape/secret /s\n" }),
    error: /leads outside the build context|outside the build context/,
  },
  {
    id: "context-copy-symlink-out-contained",
    outcome: "C",
    title: "COPY . of a context holding symlinks to host paths",
    anchor: "symlinks followed at copy time (umoci CVE-2021-29136 class)",
    context: (e) => ({
      abs: { link: e.secret },
      rel: { link: "../../../../../../../../etc/passwd" },
      Dockerfile: "FROM scratch\nCOPY . /ctx/\n",
    }),
    check: (_r, out, e) => {
      expect(fs.readlinkSync(path.join(out, "ctx/abs"))).toBe(e.secret);
      expect(fs.lstatSync(path.join(out, "ctx/rel")).isSymbolicLink()).toBe(true);
      noSecretIn(out);
    },
  },
  {
    id: "context-symlink-loop",
    outcome: "E",
    title: "COPY of a symlink loop",
    anchor: "ELOOP crash or endless resolution",
    context: () => ({
      "loop-a": { link: "loop-b" },
      "loop-b": { link: "loop-a" },
      Dockerfile: "FROM scratch\nCOPY loop-a/x /x\n",
    }),
    error: /too many levels of symbolic links/,
  },
  {
    id: "context-symlink-loop-copied",
    outcome: "C",
    title: "COPY . of a directory holding a symlink loop",
    anchor: "a walk that follows links forever",
    context: () => ({ "d/loop": { link: "../d" }, Dockerfile: "FROM scratch\nCOPY . /c/\n" }),
    check: (_r, out) => expect(fs.readlinkSync(path.join(out, "c/d/loop"))).toBe("../d"),
  },
  {
    id: "context-invalid-utf8-name",
    outcome: "E",
    title: "a context file whose name is not UTF-8",
    anchor: "a file silently left out of COPY . (issue #14)",
    context: () => df("FROM scratch\nCOPY . /c/\n"),
    rawNames: [Buffer.from([0x78, 0xff, 0x79])],
    error: /the name of x\\xffy is not valid UTF-8/,
  },
  {
    id: "context-invalid-utf8-name-ignored",
    outcome: "OK",
    title: "the same file excluded by .dockerignore",
    anchor: "the refusal above must not break ignored files",
    context: () => ({ ".dockerignore": "x*\n", a: "a", Dockerfile: "FROM scratch\nCOPY . /c/\n" }),
    rawNames: [Buffer.from([0x78, 0xff, 0x79])],
    check: (_r, out) =>
      expect(fs.readdirSync(path.join(out, "c")).sort()).toEqual([".dockerignore", "Dockerfile", "a"]),
  },
  {
    id: "dockerignore-pathological",
    outcome: "OK",
    title: "**/ repeated 40 times over a 30-deep tree",
    anchor: "exponential .dockerignore matching: 13.5 s at 8 repetitions, endless at 40 (issue #14)",
    context: () => ({
      ".dockerignore": `${"**/".repeat(40)}nomatch\n${"*/".repeat(12)}zz\n`,
      [`${deep30}/f`]: "deep",
      Dockerfile: "FROM scratch\nCOPY . /c/\n",
    }),
    check: (_r, out) => expect(fs.readFileSync(path.join(out, "c", deep30, "f"), "utf8")).toBe("deep"),
    timeoutMs: 20_000,
  },
  {
    id: "dockerignore-bad-pattern",
    outcome: "E",
    title: "a malformed .dockerignore pattern",
    anchor: "a crash in the pattern compiler",
    context: () => ({ ".dockerignore": "a[\n", Dockerfile: "FROM scratch\n" }),
    error: /syntax error in pattern "a\["/,
  },
  // --- Whiteout names from the context and ADD archives -----------------------------------------
  {
    id: "context-whiteout-copy",
    outcome: "E",
    title: "COPY etcx/ /etc/ where etcx holds .wh.passwd",
    anchor: "a context file read as a whiteout deleting /etc/passwd (Kaniko whiteout bug, issue #14)",
    context: () => ({
      "etcx/.wh.passwd": "",
      "etcx/ok": "ok",
      Dockerfile: "FROM scratch\nCOPY etcx/ /etc/\n",
    }),
    error:
      /Dockerfile:2:1: COPY etcx\/ \/etc\/: .*"etc\/\.wh\.passwd" is named like a whiteout: .*deletes "passwd" from the layers below/,
  },
  {
    id: "context-opaque-copy",
    outcome: "E",
    title: "COPY of a directory holding .wh..wh..opq",
    anchor: "a context file read as an opaque marker hiding a lower directory",
    context: () => ({ "d/.wh..wh..opq": "", Dockerfile: "FROM scratch\nCOPY d /usr/\n" }),
    error: /Dockerfile:2:1: .*"usr\/\.wh\.\.wh\.\.opq" is named like a whiteout: .*hides its whole directory/,
  },
  {
    id: "add-tar-whiteout",
    outcome: "E",
    title: "ADD of a tar holding bin/.wh.sh",
    anchor: "an ADDed archive's entry read as a whiteout deleting /bin/sh (issue #14)",
    context: () => ({
      "x.tar": rawTar([{ name: "bin/", type: "5" }, { name: "bin/.wh.sh" }]),
      Dockerfile: "FROM scratch\nADD x.tar /\n",
    }),
    error: /Dockerfile:2:1: ADD x\.tar \/: .*archive entry "bin\/\.wh\.sh" is named like a whiteout/,
  },
  {
    id: "add-tar-opaque",
    outcome: "E",
    title: "ADD of a tar.gz holding etc/.wh..wh..opq",
    anchor: "an ADDed archive hiding /etc of the layers below",
    context: () => ({
      "x.tgz": zlib.gzipSync(rawTar([{ name: "etc/.wh..wh..opq" }])),
      Dockerfile: "FROM scratch\nADD x.tgz /\n",
    }),
    error:
      /Dockerfile:2:1: .*archive entry "etc\/\.wh\.\.wh\.\.opq" is named like a whiteout: .*hides the whole directory/,
  },
  {
    id: "add-tar-dotdot",
    outcome: "E",
    title: "ADD of a tar holding ../../escaped",
    anchor: "extraction outside the destination (CVE-2021-29136 class)",
    context: () => ({
      "x.tar": rawTar([{ name: "../../escaped", data: "x" }]),
      Dockerfile: "FROM scratch\nADD x.tar /d/\n",
    }),
    error: /Dockerfile:2:1: .*refuse entry \.\.\/\.\.\/escaped: path climbs above the target root/,
  },
  {
    id: "add-tar-symlink-out",
    outcome: "C",
    title: "ADD of a tar: l -> the sentinel, then l/x",
    anchor: "an archive writing through its own symlink onto the host",
    context: (e) => ({
      "x.tar": rawTar([
        { name: "l", type: "2", linkname: e.sentinel },
        { name: `.${e.sentinel}/`, type: "5" },
        { name: "l/x", data: "through" },
      ]),
      Dockerfile: "FROM scratch\nADD x.tar /d/\n",
    }),
    check: (_r, out, e) => {
      expect(fs.readlinkSync(path.join(out, "d/l"))).toBe(e.sentinel);
      expect(fs.readFileSync(path.join(out, "d", e.sentinel, "x"), "utf8")).toBe("through");
    },
  },
  {
    id: "add-gzip-bomb",
    outcome: "E",
    title: "ADD of a 2 MB .tar.gz expanding to 2 GiB, --max-layer-size 256MB",
    anchor: "disk exhaustion by a decompression bomb in the context",
    setup: (e) => {
      fs.mkdirSync(e.context, { recursive: true });
      fs.renameSync(
        gzipBombLayer(e.target, "zeros", 2 * 1024 ** 3).file,
        path.join(e.context, "bomb.tar.gz"),
      );
    },
    context: () => df("FROM scratch\nADD bomb.tar.gz /\n"),
    options: () => ({ network: { maxLayerSize: 256 << 20 } }),
    error:
      /Dockerfile:2:1: .*refuse entry zeros: its 2147483648 bytes would take the layer past 268435456 bytes/,
  },
  // --- ADD <url> ----------------------------------------------------------------------------------
  {
    id: "add-url-slow-drip",
    outcome: "E",
    title: "ADD from a server that sends a byte every 200 ms",
    anchor: "a download that never ends (issue #14)",
    context: (e) => df(`FROM scratch\nADD --checksum=sha256:${"0".repeat(64)} ${e.http}/drip /d\n`),
    options: () => fastNet,
    error: /download http:\/\/127\.0\.0\.1:\d+\/drip: .*(slower than 200 bytes\/s|no data) for 800 ms/,
  },
  {
    id: "add-url-silent",
    outcome: "E",
    title: "ADD from a server that never answers",
    anchor: "a hang waiting for headers",
    context: (e) => df(`FROM scratch\nADD ${e.http}/silent /d\n`),
    options: () => fastNet,
    error: /check http:\/\/127\.0\.0\.1:\d+\/silent: no data for 800 ms/,
  },
  {
    id: "add-url-redirect-loop",
    outcome: "E",
    title: "ADD from a URL that redirects to itself",
    anchor: "'fetch failed' with no URL or reason (issue #14)",
    context: (e) => df(`FROM scratch\nADD --checksum=sha256:${"0".repeat(64)} ${e.http}/loop /d\n`),
    options: () => fastNet,
    error: /download http:\/\/127\.0\.0\.1:\d+\/loop: stopped after 10 redirects \(a redirect loop\)/,
  },
  {
    id: "add-url-truncated",
    outcome: "E",
    title: "ADD of a body cut short",
    anchor: "'fetch failed' with no byte count (issue #14)",
    context: (e) => df(`FROM scratch\nADD --checksum=sha256:${"0".repeat(64)} ${e.http}/truncated /d\n`),
    options: () => fastNet,
    error: /download http:\/\/127\.0\.0\.1:\d+\/truncated: the transfer failed after \d+ of 4096 bytes/,
  },
  {
    id: "add-url-http-error",
    outcome: "E",
    title: "ADD of a URL answering 404",
    anchor: "an error without the status",
    context: (e) => df(`FROM scratch\nADD --checksum=sha256:${"0".repeat(64)} ${e.http}/missing /d\n`),
    options: () => fastNet,
    error: /download http:\/\/127\.0\.0\.1:\d+\/missing: server answered 404 Not Found/,
  },
  {
    id: "add-url-too-big",
    outcome: "E",
    title: "ADD of a download over --max-download-size",
    anchor: "unbounded downloads filling the disk",
    context: (e) => df(`FROM scratch\nADD --checksum=sha256:${"0".repeat(64)} ${e.http}/big /d\n`),
    options: () => ({ network: { ...fastNet.network, maxDownloadSize: 1 << 20 } }),
    error: /announces 67108864 bytes, more than the 1048576-byte limit \(--max-download-size\)/,
  },
  {
    id: "add-url-query",
    outcome: "OK",
    title: "ADD of a URL with ? and * in its query",
    anchor: "a URL treated as a glob (issue #14)",
    context: (e) => df(`FROM scratch\nADD ${e.http}/file.txt?v=1&x=* /d\n`),
    options: () => fastNet,
    check: (_r, out) => expect(fs.readFileSync(path.join(out, "d"), "utf8")).toBe("query=?v=1&x=*"),
  },
  // --- Registry -------------------------------------------------------------------------------------
  {
    id: "registry-manifest-drip",
    outcome: "E",
    title: "FROM an image whose registry drips the manifest",
    anchor: "a pull that never ends (issue #14)",
    context: (e) => df(`FROM ${e.registry}/hostile/busybox:1\n`),
    options: () => fastNet,
    faults: () => [
      { match: (_m, p) => p.includes("/manifests/"), action: { kind: "drip", intervalMs: 200 } },
    ],
    error: /timed out sending the manifest: (slower than 200 bytes\/s|no data) for 800 ms/,
  },
];
