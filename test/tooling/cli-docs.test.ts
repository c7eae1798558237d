import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { CommandEntry } from "../../src/cli/command";
import { commands } from "../../src/cli/commands";
import { ensureDist, mainJs } from "../cli/helpers";
import { repoRoot } from "../support/paths";

interface CliDocsGenerator {
  renderCliDocs(commands: CommandEntry[]): { text: string; supported: number; total: number };
  BUILDX_FLAGS: [string, string, string][];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gen = require(path.join(repoRoot, "scripts", "gen-cli-docs.js")) as CliDocsGenerator;

describe("docs/cli.md", () => {
  beforeAll(() => ensureDist());

  test("is what scripts/gen-cli-docs.js makes of the current yargs definitions (npm run docs:cli)", () => {
    const r = spawnSync(process.execPath, [path.join(repoRoot, "scripts", "gen-cli-docs.js"), "--check"], {
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("marks a buildx flag yes exactly when tsbuild build defines it, and lists every command", () => {
    const { text, supported, total } = gen.renderCliDocs(commands);
    expect(total).toBe(gen.BUILDX_FLAGS.length);
    const yes = [...text.matchAll(/^\| (?:`-\w`, )?`--([\w-]+)` \| yes \|/gm)].map((m) => m[1]);
    expect(yes).toHaveLength(supported);
    for (const flag of ["tag", "file", "build-arg", "target", "output"]) expect(yes).toContain(flag);
    for (const c of commands) {
      const usage = (Array.isArray(c.command) ? c.command[0] : c.command).replace(/^\$0 ?/, "");
      expect(text).toContain(`### \`tsbuild ${usage}\``);
    }
  });
});

describe("tsbuild completion", () => {
  test("the bash script it prints completes commands and build flags through the real binary", () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "tsbuild-completion-"));
    try {
      fs.symlinkSync(mainJs, path.join(bin, "tsbuild"));
      const script = spawnSync(process.execPath, [mainJs, "completion"], { encoding: "utf8" });
      expect(script.status).toBe(0);
      expect(script.stdout).toContain(
        "complete -o bashdefault -o default -F _tsbuild_yargs_completions tsbuild",
      );
      fs.writeFileSync(path.join(bin, "completion.bash"), script.stdout);
      const complete = (line: string): string[] => {
        const words = line.split(" ");
        const r = spawnSync(
          "bash",
          [
            "-c",
            `source completion.bash; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); ` +
              `COMP_CWORD=${words.length - 1}; _tsbuild_yargs_completions; printf '%s\\n' "\${COMPREPLY[@]}"`,
          ],
          { cwd: bin, encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` } },
        );
        expect(r.stderr).toBe("");
        return r.stdout.split("\n").filter((w) => w !== "");
      };
      expect(complete("tsbuild i")).toEqual(expect.arrayContaining(["images", "inspect"]));
      expect(complete("tsbuild build --ta")).toEqual(["--tag", "--target"]);
      expect(complete("tsbuild build --no-cache-f")).toEqual(["--no-cache-filter"]);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});
