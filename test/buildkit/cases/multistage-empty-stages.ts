import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testEmptyStages",
  upstream: UP.multistage,
  dockerfile: `ARG foo=bar`,
  expect: { error: "dockerfile contains no stages to build" },
} satisfies BuildkitCase;
