import { UP, type BuildkitCase } from "../harness/case";

export default {
  name: "testEmptyStages",
  upstream: UP.multistage,
  knownFailure:
    'the error does not contain "dockerfile contains no stages to build": DockerfileError: Dockerfile:1:1: no FROM instruction: the Dockerfile has no build stage',
  dockerfile: `ARG foo=bar`,
  expect: { error: "dockerfile contains no stages to build" },
  buildkit2010: {
    skip: "dockerd 20.10 panics on it (index out of range in dispatchStates.lastTarget) and dies",
  },
} satisfies BuildkitCase;
