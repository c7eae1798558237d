/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // The BuildKit differential suite has its own config and services (npm run test:buildkit); the
  // conformance vectors live outside the repository (npm run test:conformance).
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/buildkit/", "<rootDir>/test/conformance/"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  // Real builds, real mounts, real registries: generous timeouts, and
  // serial workers on a 2-core machine keep mount-heavy suites from starving.
  testTimeout: 120000,
  maxWorkers: 2,
};
