import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testPullScratch",
  upstream: UP.image,
  note: "The last part (an LLB mount of the image) has no Dockerfile form and is not ported.",
  prebuild: [{ dockerfile: "\nFROM scratch\nLABEL foo=bar\n" }],
  dockerfile: `
FROM {{prebuilt}}
LABEL bar=baz
COPY foo .
`,
  files: { foo: { content: "foo-contents", mode: 0o600 } },
  expect: { layers: 1, config: { Labels: { bar: "baz", foo: "bar" } } },
} satisfies BuildkitCase;
