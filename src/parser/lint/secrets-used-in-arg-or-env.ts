import type { Word } from "../ast";
import type { LintRule } from "./rule";
import { allInstructions } from "./walk";

/** BuildKit's patterns: a name part that smells like a credential, unless marked public. */
const SECRET = /(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)/i;
const ALLOWED = /(?:_|^)public(?:_|$)/i;

/** ARG and ENV values end up in the image's history and config; secrets belong in secret mounts. */
export const secretsUsedInArgOrEnv: LintRule = {
  name: "SecretsUsedInArgOrEnv",
  description: "Sensitive data should not be used in the ARG or ENV commands",
  check({ instructions }, report) {
    for (const instruction of allInstructions(instructions)) {
      let names: { name: string; word: Word }[] = [];
      if (instruction.kind === "ARG") names = instruction.args.map((a) => ({ name: a.name, word: a.word }));
      if (instruction.kind === "ENV") names = instruction.env.map((p) => ({ name: p.key, word: p.keyWord }));
      for (const { name, word } of names) {
        if (SECRET.test(name) && !ALLOWED.test(name)) {
          report(
            word.span,
            `Do not use ARG or ENV instructions for sensitive data (${instruction.kind} "${name}")`,
          );
        }
      }
    }
  },
};
