/** The build context: .dockerignore rules, COPY/ADD source resolution, content fingerprints. */
export { BuildContext, openContext, type OpenContextOptions } from "./build-context";
export type { ContextFile, ContextFileType, ContextSource, ContextStats } from "./context-file";
export { ContextError, type ContextErrorCode } from "./errors";
export { parseIgnoreFile, loadIgnoreRules, type IgnoreRules } from "./ignore-file";
export { PatternMatcher } from "./pattern-matcher";
export { ContextFilter, type PathVerdict } from "./context-filter";
export { expandWildcards, type WildcardTree } from "./wildcards";
export { goMatch, hasWildcard } from "./go-match";
export type { ResolveOptions } from "./resolve-source";
export { readDockerfileFile, type DockerfileBytes } from "./dockerfile-file";
