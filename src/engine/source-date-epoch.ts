import { BuildError } from "./errors";

/**
 * The build's SOURCE_DATE_EPOCH in seconds, as BuildKit takes it: the option, else the build arg
 * (or the environment, as buildx passes it), else the Dockerfile's global `ARG SOURCE_DATE_EPOCH=…`
 * default. A value that is not a whole number of seconds fails the build with BuildKit's wording.
 */
export function resolveSourceDateEpoch(
  option: number | undefined,
  given: string | undefined,
  dockerfileDefault: string | undefined,
): number | undefined {
  if (option !== undefined) return option;
  return epochFrom(given !== undefined && given !== "" ? given : dockerfileDefault);
}

function epochFrom(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new BuildError("BAD_SOURCE_DATE_EPOCH", `invalid SOURCE_DATE_EPOCH: ${value}`);
  return Number(value);
}
