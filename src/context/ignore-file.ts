import * as fs from "node:fs";
import * as path from "node:path";
import { ContextError } from "./errors";
import { BadPatternError } from "./go-match";
import { cleanPath, trimSpace } from "./go-path";
import { PatternMatcher } from "./pattern-matcher";
import { errnoCode, errorMessage } from "../errors";

/** The ignore rules in force for one build, and the file they came from. */
export interface IgnoreRules {
  /** Absolute path of the ignore file read, or undefined when there is none. */
  file: string | undefined;
  /** The patterns as moby/patternmatcher/ignorefile.ReadAll returns them. */
  patterns: string[];
  matcher: PatternMatcher;
}

/**
 * moby/patternmatcher/ignorefile.ReadAll: one pattern per line; a UTF-8 BOM on the first line is
 * dropped; lines starting with "#" are comments (only in column 1: " #x" is a pattern); blank
 * lines are skipped; each pattern is trimmed, cleaned like Go's filepath.Clean ("./a/" → "a")
 * and loses one leading "/" (patterns are relative to the context root), keeping a leading "!".
 */
export function parseIgnoreFile(text: string): string[] {
  const out: string[] = [];
  const lines = text.split("\n");
  // bufio.Scanner drops a final empty line and a "\r" before each "\n".
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  lines.forEach((raw, index) => {
    let line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (index === 0 && line.startsWith("\uFEFF")) line = line.slice(1);
    if (line.startsWith("#")) return;
    let pattern = trimSpace(line);
    if (pattern === "") return;
    const invert = pattern.startsWith("!");
    if (invert) pattern = trimSpace(pattern.slice(1));
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith("/")) pattern = pattern.slice(1);
    }
    out.push(invert ? "!" + pattern : pattern);
  });
  return out;
}

/**
 * Finds and compiles the ignore rules for a build, as BuildKit's Dockerfile frontend does: a
 * `<Dockerfile-name>.dockerignore` next to the Dockerfile wins over the context root's
 * `.dockerignore`; the two are never merged.
 */
export function loadIgnoreRules(contextDir: string, dockerfilePath?: string): IgnoreRules {
  const candidates: string[] = [];
  if (dockerfilePath !== undefined) {
    const abs = path.resolve(contextDir, dockerfilePath);
    candidates.push(path.join(path.dirname(abs), path.basename(abs) + ".dockerignore"));
  }
  candidates.push(path.join(contextDir, ".dockerignore"));
  for (const file of candidates) {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      const code = errnoCode(err);
      if (code === "ENOENT" || code === "ENOTDIR") continue;
      throw new ContextError("CONTEXT_READ", `read ignore file ${file}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    return { file, ...compileRules(text, file) };
  }
  return { file: undefined, patterns: [], matcher: new PatternMatcher([]) };
}

/** Compiles ignore-file text; `file` names it in errors. */
export function compileRules(
  text: string,
  file = ".dockerignore",
): { patterns: string[]; matcher: PatternMatcher } {
  const patterns = parseIgnoreFile(text);
  for (const p of patterns) {
    try {
      new PatternMatcher([p]);
    } catch (err) {
      if (!(err instanceof BadPatternError)) throw err;
      throw new ContextError(
        "CONTEXT_BAD_PATTERN",
        `parse ignore file ${file}: syntax error in pattern ${JSON.stringify(p)}`,
        {
          pattern: p,
          cause: err,
        },
      );
    }
  }
  return { patterns, matcher: new PatternMatcher(patterns) };
}
