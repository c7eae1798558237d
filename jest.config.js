/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // The BuildKit differential suite has its own config and services (npm run test:buildkit).
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/buildkit/"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  // Real builds, real mounts, real registries: generous timeouts, and
  // serial workers on a 2-core machine keep mount-heavy suites from starving.
  testTimeout: 120000,
  maxWorkers: 2,
};
