/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  // Real builds, real mounts, real registries: generous timeouts, and
  // serial workers on a 2-core machine keep mount-heavy suites from starving.
  testTimeout: 120000,
  maxWorkers: 2,
};
