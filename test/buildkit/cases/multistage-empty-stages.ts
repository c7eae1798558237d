import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testEmptyStages",
  upstream: UP.multistage,
  dockerfile: `ARG foo=bar`,
  expect: { error: "dockerfile contains no stages to build" },
  buildkit2010: {
    skip: "dockerd 20.10 panics on it (index out of range in dispatchStates.lastTarget) and dies",
  },
} satisfies BuildkitCase;
