import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testTargetStageNameArg",
  upstream: UP.args,
  variant: "last stage named final",
  dockerfile: `
FROM {{busybox}} AS base
WORKDIR /out
RUN echo -n "value:$TARGETSTAGE" > /out/first
ARG TARGETSTAGE
RUN echo -n "value:$TARGETSTAGE" > /out/second

FROM scratch AS foo
COPY --from=base /out/ /

FROM scratch
COPY --from=base /out/ /

	FROM scratch AS final
	COPY --from=base /out/ /
	`,

  expect: { files: { "/first": { content: "value:" }, "/second": { content: "value:final" } } },
  buildkit2010: { skip: "TARGETSTAGE is newer than the 20.10 frontend" },
} satisfies BuildkitCase;
