import { ShellExpansionError } from "./errors";

/** How a word is expanded; the fields follow BuildKit's shell.Lex options. */
export interface ShellOptions {
  /** The Dockerfile's escape character (the `# escape=` directive). Default `\`. */
  escapeToken?: "\\" | "`";
  /** Keep `$VAR`, `${VAR}` and `${VAR...}` literally when VAR is unset, instead of expanding. */
  skipUnsetEnv?: boolean;
  /** Keep the quote characters in the result (the quoted text is still not expanded/split). */
  rawQuotes?: boolean;
  /** Keep escape characters in the result (the escaped character is still taken literally). */
  rawEscapes?: boolean;
  /** Treat quotes as ordinary characters. */
  skipProcessQuotes?: boolean;
  /** Look variable names up ignoring case, as BuildKit does on Windows. */
  caseInsensitiveNames?: boolean;
}

/** ShellOptions with every field filled in. */
export type ResolvedShellOptions = Required<ShellOptions>;

export function resolveShellOptions(opts: ShellOptions = {}): ResolvedShellOptions {
  // Callers from plain JavaScript can pass anything; only the two Dockerfile escapes make sense.
  if (opts.escapeToken !== undefined && opts.escapeToken !== "\\" && opts.escapeToken !== "`") {
    throw new ShellExpansionError(
      `escape token must be '\\' or '\`', not ${JSON.stringify(opts.escapeToken)}`,
      0,
      0,
    );
  }
  return {
    escapeToken: opts.escapeToken ?? "\\",
    skipUnsetEnv: opts.skipUnsetEnv ?? false,
    rawQuotes: opts.rawQuotes ?? false,
    rawEscapes: opts.rawEscapes ?? false,
    skipProcessQuotes: opts.skipProcessQuotes ?? false,
    caseInsensitiveNames: opts.caseInsensitiveNames ?? false,
  };
}
