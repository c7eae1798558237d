import { LINT_RULES } from "../parser/lint";
import { ruleUrl } from "../parser/lint/rule";

/** A rule's identity as `--call check` reports it: BuildKit's name, description and page. */
export interface RuleInfo {
  name: string;
  description: string;
  url: string;
  experimental: boolean;
}

/**
 * The checks that need more than the Dockerfile's text — the build arguments, the base images'
 * configs, the context's .dockerignore — so they run in the planner and engine, not the parser.
 */
export const BUILD_RULES = {
  UndefinedVar: {
    description: "Variables should be defined before their use",
    format: (name: string, suggestion?: string): string =>
      `Usage of undefined variable '$${name}'${suggestion !== undefined ? ` (did you mean $${suggestion}?)` : ""}`,
  },
  InvalidBaseImagePlatform: {
    description: "Base image platform does not match expected target platform",
    format: (image: string, expected: string, actual: string): string =>
      `Base image ${image} was pulled with platform "${actual}", expected "${expected}" for current build`,
  },
  InvalidDefaultArgInFrom: {
    description: "Default value for global ARG results in an empty or invalid base image name",
    format: (baseName: string): string =>
      `Default value for ARG ${baseName} results in empty or invalid base image name`,
  },
  CopyIgnoredFile: {
    description: "Attempting to Copy file that is excluded by .dockerignore",
    experimental: true,
    format: (command: string, file: string): string =>
      `Attempting to ${command} file "${file}" that is excluded by .dockerignore`,
  },
} as const;

export type BuildRuleName = keyof typeof BUILD_RULES;

/** BuildKit's page for a rule; InvalidBaseImagePlatform has none in BuildKit's rule set. */
function urlOf(name: string): string {
  return name === "InvalidBaseImagePlatform" ? "" : ruleUrl(name);
}

/** Every rule tsbuild checks (BuildKit's set), parser rules first. */
export const ALL_RULES: readonly RuleInfo[] = [
  ...LINT_RULES.map((r) => ({
    name: r.name,
    description: r.description,
    url: urlOf(r.name),
    experimental: r.experimental === true,
  })),
  ...Object.entries(BUILD_RULES).map(([name, r]) => ({
    name,
    description: r.description,
    url: urlOf(name),
    experimental: "experimental" in r && r.experimental,
  })),
];

const BY_NAME = new Map(ALL_RULES.map((r) => [r.name, r]));

export function ruleInfo(name: string): RuleInfo | undefined {
  return BY_NAME.get(name);
}
