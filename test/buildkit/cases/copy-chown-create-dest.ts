import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyChownCreateDest",
  upstream: UP.copy,
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
