import type { BuildEvent } from "../../engine/progress";
import type { ProgressRenderer, TextSink } from "./sink";

/** `--progress=rawjson`: every event as one JSON line, with the time it was seen (ms since epoch). */
export class RawJsonRenderer implements ProgressRenderer {
  constructor(
    private readonly out: TextSink,
    private readonly now: () => number = Date.now,
  ) {}

  onEvent(event: BuildEvent): void {
    this.out.write(JSON.stringify({ time: this.now(), ...event }) + "\n");
  }

  close(): void {}
}
