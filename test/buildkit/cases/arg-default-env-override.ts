import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testDefaultEnvWithArgs",
  upstream: UP.args,
  variant: "override",
  dockerfile: `
ARG image=idlebox
FROM {{registry}}/busy\${image#idle} AS build
ARG my_arg
ENV my_arg "my_arg=\${my_arg:-def_val}"
ENV my_trimmed_arg "\${my_arg%%e*}"
COPY myscript.sh myscript.sh
RUN ./myscript.sh $my_arg $my_trimmed_arg
FROM scratch
COPY --from=build /out /out
`,
  files: { "myscript.sh": { content: "\n#!/usr/bin/env sh\necho -n $my_arg $* > /out\n", mode: 0o700 } },
  buildArgs: { my_arg: "override" },
  expect: { files: { "/out": { content: "my_arg=override my_arg=override my_arg=ov" } } },
  buildkit2010: {
    skip: "upstream and 20.10 disagree: 20.10 cannot expand ${image#idle} in FROM (\"missing ':' in substitution\")",
  },
} satisfies BuildkitCase;
