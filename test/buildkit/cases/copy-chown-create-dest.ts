import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyChownCreateDest",
  upstream: UP.copy,
  knownDifference:
    'history: BuildKit has history entries for ARG, tsbuild none; COPY/ADD created_by: tsbuild "COPY --chown=user:user . /dest # buildkit", BuildKit "COPY . /dest # buildkit"; COPY/ADD created_by: tsbuild "COPY --chown=user01:user . /dest01 # buildkit", BuildKit "COPY . /dest01 # buildkit"; a RUN that changes nothing is empty_layer=true in tsbuild, BuildKit writes an empty layer (false)',
  dockerfile: `
FROM {{busybox}}
ARG group
ENV owner user01
RUN adduser -D user
RUN adduser -D user01
COPY --chown=user:user . /dest
COPY --chown=\${owner}:\${group} . /dest01
RUN [ "$(stat -c "%U %G" /dest)" == "user user" ]
RUN [ "$(stat -c "%U %G" /dest01)" == "user01 user" ]
`,
  buildArgs: { group: "user" },
  expect: {},
} satisfies BuildkitCase;
