/**
 * The engine's side of a rootless in-process build (./userns-build.ts): started inside the user
 * namespace with an IPC channel, it runs build() on the options it is sent, streams the events
 * back, aborts when told to, and answers with the result or the error's facts.
 */
import { build } from "./build";
import type { BuildOptions } from "./build-options";
import { serializeError, type WorkerMessage, type ParentMessage } from "./userns-protocol";

const controller = new AbortController();
const send = (m: WorkerMessage): void => {
  process.send?.(m);
};

process.on("message", (m: ParentMessage) => {
  if (m.type === "abort") {
    controller.abort();
    return;
  }
  const options: BuildOptions = {
    ...m.options,
    signal: controller.signal,
    onEvent: (event) => send({ type: "event", event }),
  };
  build(options).then(
    (result) => send({ type: "result", result }),
    (err: unknown) => send({ type: "error", error: serializeError(err) }),
  );
});
process.on("disconnect", () => controller.abort());
