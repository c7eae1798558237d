/**
 * `npm run test:conformance`: BuildKit's parser and shell vectors, read in place from
 * $TSBUILD_CONFORMANCE_DIR, ../shared/conformance/buildkit, or a verified fetch of the pinned
 * commit (test/conformance/global-setup.ts). Kept out of `npm test`, which needs nothing outside
 * the repository.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test/conformance"],
  testMatch: ["**/*.test.ts"],
  globalSetup: "<rootDir>/test/conformance/global-setup.ts",
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  maxWorkers: 2,
};
