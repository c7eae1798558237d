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
  compareIgnore: {
    fields: ["history"],
    reason:
      "upstream and 20.10 disagree: 20.10 writes ARG entries with the value as declared (ARG group); upstream writes the value the ARG took from --build-arg (ARG group=value)",
  },
} satisfies BuildkitCase;
