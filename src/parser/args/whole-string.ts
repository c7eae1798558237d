import type { Located } from "./located";

/** BuildKit's parseString (MAINTAINER, USER, WORKDIR, STOPSIGNAL, shell form of RUN/CMD/...): the rest as one word. */
export function wholeString(text: string, from: number, to: number): Located[] {
  return from < to ? [{ value: text.slice(from, to), start: from, end: to }] : [];
}
