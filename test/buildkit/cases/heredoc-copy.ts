import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testCopyHeredoc",
  upstream: UP.heredoc,
  dockerfile: `
FROM {{busybox}} AS build

RUN adduser -D user
WORKDIR /dest

COPY <<EOF single
single file
EOF

COPY <<EOF <<EOF2 double/
first file
EOF
second file
EOF2

RUN mkdir -p /permfiles
COPY --chmod=777 <<EOF /permfiles/all
dummy content
EOF
COPY --chmod=0644 <<EOF /permfiles/rw
dummy content
EOF
COPY --chown=user:user <<EOF /permfiles/owned
dummy content
EOF
RUN stat -c "%04a" /permfiles/all >> perms && \\
	stat -c "%04a" /permfiles/rw >> perms && \\
	stat -c "%U:%G" /permfiles/owned >> perms

FROM scratch
COPY --from=build /dest /
`,
  expect: {
    files: {
      "/single": { content: "single file\n" },
      "/double/EOF": { content: "first file\n" },
      "/double/EOF2": { content: "second file\n" },
      "/perms": { content: "0777\n0644\nuser:user\n" },
    },
  },
  buildkit2010: { skip: "heredocs need Dockerfile frontend 1.4 (20.10 has 1.2)" },
} satisfies BuildkitCase;
