import type { ArgumentsCamelCase } from "yargs";
import { checkBuild } from "../../engine/check";
import { UsageError } from "../../errors";
import { loadDockerfile } from "../../parser/load";
import type { BuildInvocation } from "../build-invocation";
import { parseFields } from "../key-value";
import { dockerfileOptions, prepareContext } from "../commands/build";
import { checkErrorText, checkJson, checkText } from "./check-output";
import { goJson, outlineOf, outlineText, targetsOf, targetsText } from "./outline";
import { readFile } from "node:fs/promises";
import * as path from "node:path";

/** `--call NAME[,format=json|text]` / `--check`: evaluate a frontend method instead of building. */
export interface CallSpec {
  name: "check" | "outline" | "targets";
  format: "text" | "json";
}

const CALLS = ["build", "check", "outline", "targets"];

/** The call asked for, or undefined for a plain build (`--call build` or none). */
export function parseCallOption(args: ArgumentsCamelCase): CallSpec | undefined {
  const raw = args.call;
  if (Array.isArray(raw)) throw new UsageError("--call: given more than once");
  const check = args.check === true;
  if (raw === undefined) return check ? { name: "check", format: "text" } : undefined;
  const text = String(raw);
  const [head, ...rest] = text.split(",");
  const name = head.trim().toLowerCase();
  if (!CALLS.includes(name))
    throw new UsageError(`--call: unknown method "${head}" (expected ${CALLS.join(", ")})`);
  const fields = rest.length > 0 ? parseFields("--call", rest.join(",")) : new Map<string, string>();
  let format: CallSpec["format"] = "text";
  for (const [key, value] of fields) {
    if (key !== "format") throw new UsageError(`--call: unknown key "${key}" (expected format)`);
    if (value !== "json" && value !== "text")
      throw new UsageError(`--call: format=${value} is not supported (expected json or text)`);
    format = value;
  }
  if (check && name !== "check") throw new UsageError(`--check: conflicts with --call ${name}`);
  if (name === "build") return undefined;
  // name is one of CALLS: checked at the top.
  return { name: name as CallSpec["name"], format };
}

/**
 * Runs a call with buildx's output on stdout. Exit 0, or 1 when `check` found warnings or an
 * error (BuildKit's result.statuscode), as `docker buildx build --check` does.
 */
export async function runCall(call: CallSpec, invocation: BuildInvocation): Promise<number> {
  const { contextDir, dispose } = await prepareContext(invocation.context);
  try {
    const source = await dockerfileOptions(invocation, contextDir);
    const o = invocation.options;
    if (call.name === "check") {
      const report = await checkBuild({
        context: contextDir,
        ...source,
        ...(o.buildArgs ? { buildArgs: o.buildArgs } : {}),
        ...(o.target !== undefined ? { target: o.target } : {}),
        ...(o.platform !== undefined ? { platform: o.platform } : {}),
        ...(o.cacheDir !== undefined ? { cacheDir: o.cacheDir } : {}),
        ...(o.env ? { env: o.env } : {}),
        ...(o.pull ? { pull: true } : {}),
        ...(o.insecureRegistries ? { insecureRegistries: o.insecureRegistries } : {}),
        ...(o.network ? { network: o.network } : {}),
      });
      process.stdout.write(call.format === "json" ? checkJson(report) : checkText(report));
      if (report.error !== undefined) {
        if (call.format !== "json")
          process.stderr.write((report.warnings.length > 0 ? "\n" : "") + checkErrorText(report));
        return 1;
      }
      return report.warnings.length > 0 ? 1 : 0;
    }
    const file = source.dockerfile ?? path.join(contextDir, "Dockerfile");
    const text = source.dockerfileText ?? (await readFile(file, "utf8"));
    const dockerfile = loadDockerfile(text, {
      file: source.dockerfileText !== undefined ? "Dockerfile" : path.relative(process.cwd(), file) || file,
      lintErrorsAsWarnings: true,
    });
    if (call.name === "outline") {
      const outline = outlineOf(dockerfile, text, o.target);
      process.stdout.write(call.format === "json" ? goJson(outline) + "\n" : outlineText(outline));
    } else {
      const targets = targetsOf(dockerfile, text);
      process.stdout.write(call.format === "json" ? goJson(targets) + "\n" : targetsText(targets));
    }
    return 0;
  } finally {
    await dispose();
  }
}

/** The yargs options of this module, merged into `tsbuild build`'s. */
export const callOptionSpecs = {
  call: {
    type: "string",
    requiresArg: true,
    describe: "evaluate instead of building: check, outline or targets[,format=json] (buildx --call)",
  },
  check: { type: "boolean", describe: "run the build checks (lint rules) only; same as --call check" },
} as const;
