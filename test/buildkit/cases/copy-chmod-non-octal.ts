import type { BuildkitCase } from "../harness/case";

export default {
  name: "testChmodNonOctal",
  upstream: "frontend/dockerfile/dockerfile_copy_test.go",
  note: "The Dockerfile is the one upstream generates from its six (src, dst, mode) cases.",
  dockerfile:
    '\nFROM {{busybox}} as base\nRUN <<eot\n\tset -ex\n\tmkdir /input\n\ttouch /input/file\n\tchmod 666 /input/file\n\tmkdir /input/dir\n\tchmod 124 /input/dir\n\tmkdir /expected\neot\nRUN cp -a /input/file /expected/f1 && chmod go-w /expected/f1\nRUN cp -a /input/file /expected/f2 && chmod u=rw,g=r,o=r /expected/f2\nRUN cp -a /input/file /expected/f3 && chmod a+X /expected/f3\nRUN mkdir -p /input/dirs/d1 && cp -a /input/dir /input/dirs/d1/d1\nRUN cp -a /input/dirs/d1/. /expected/ && chmod go-w /expected/d1\nRUN mkdir -p /input/dirs/d2 && cp -a /input/dir /input/dirs/d2/d2\nRUN cp -a /input/dirs/d2/. /expected/ && chmod u+rw,g+r,o-x,o+w /expected/d2\nRUN mkdir -p /input/dirs/d3 && cp -a /input/dir /input/dirs/d3/d3\nRUN cp -a /input/dirs/d3/. /expected/ && chmod a+X /expected/d3\n\n\nFROM scratch as result\nCOPY --from=base --chmod=go-w /input/file /f1\nCOPY --from=base --chmod=u=rw,g=r,o=r /input/file /f2\nCOPY --from=base --chmod=a+X /input/file /f3\nCOPY --from=base --chmod=go-w /input/dirs/d1 /\nCOPY --from=base --chmod=u+rw,g+r,o-x,o+w /input/dirs/d2 /\nCOPY --from=base --chmod=a+X /input/dirs/d3 /\n\n\nFROM base\nCOPY --from=result / /actual/\nRUN [ "$(stat -c %A /actual/f1)" = "$(stat -c %A /expected/f1)" ]\nRUN [ "$(stat -c %A /actual/f2)" = "$(stat -c %A /expected/f2)" ]\nRUN [ "$(stat -c %A /actual/f3)" = "$(stat -c %A /expected/f3)" ]\nRUN [ "$(stat -c %A /actual/d1)" = "$(stat -c %A /expected/d1)" ]\nRUN [ "$(stat -c %A /actual/d2)" = "$(stat -c %A /expected/d2)" ]\nRUN [ "$(stat -c %A /actual/d3)" = "$(stat -c %A /expected/d3)" ]\n\n',
  expect: {},
  buildkit2010: { skip: "symbolic --chmod and heredocs need Dockerfile frontend 1.4+ (20.10 has 1.2)" },
} satisfies BuildkitCase;
