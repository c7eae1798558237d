export { processWord, processWords, processWordWithMatches, type ProcessWordResult } from "./process-word";
export { type ShellEnv } from "./env";
export { type ShellOptions } from "./options";
export { ShellExpansionError } from "./errors";
export { MAX_NESTING } from "./lexer";
