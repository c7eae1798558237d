/** A word cut from a logical line: its value and the [start, end) offsets of its source text. */
export interface Located {
  value: string;
  start: number;
  end: number;
}
