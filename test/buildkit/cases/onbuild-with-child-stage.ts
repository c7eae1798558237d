import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testOnBuildWithChildStage",
  upstream: UP.onbuild,
  prebuild: [{ dockerfile: "\nFROM {{busybox}}\nONBUILD RUN mkdir -p /out && echo -n yes >> /out/didrun\n" }],
  dockerfile: `
FROM {{prebuilt}} AS base
RUN [ -f /out/didrun ] && touch /step1
RUN rm /out/didrun
RUN [ ! -f /out/didrun ] && touch /step2

FROM base AS child
RUN [ ! -f /out/didrun ] && touch /step3

FROM scratch
COPY --from=child /step* /
	`,
  expect: { files: { "/step1": { type: "file" }, "/step2": { type: "file" }, "/step3": { type: "file" } } },
} satisfies BuildkitCase;
