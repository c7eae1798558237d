/**
 * `npm run test:buildkit`: BuildKit's Dockerfile integration tests ported as data
 * (test/buildkit/cases), built with tsbuild and compared with dockerd 20.10's BuildKit. Run it
 * through scripts/test-buildkit.sh, which installs the tools and cleans up if jest dies.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test/buildkit"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  globalSetup: "<rootDir>/test/buildkit/harness/global-setup.ts",
  globalTeardown: "<rootDir>/test/buildkit/harness/global-teardown.ts",
  testTimeout: 900000,
  maxWorkers: 2,
};
