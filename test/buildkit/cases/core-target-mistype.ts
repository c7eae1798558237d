import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testTargetMistype",
  upstream: UP.core,
  dockerfile: `
FROM scratch AS build
COPY Dockerfile /out

FROM scratch
COPY --from=build /out /
`,
  target: "bulid",
  expect: { error: 'target stage "bulid" could not be found (did you mean build?)' },
} satisfies BuildkitCase;
