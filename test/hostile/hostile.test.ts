import * as fs from "node:fs";
import * as path from "node:path";
import { ALL_CASES } from "./all-cases";
import { CASES } from "./cases";
import { hostileSuite } from "./suite";

/** The Dockerfile, the context, ADD <url> and registry reads; the other classes have their own files. */
describe("the hostile-input table", () => {
  it("has at least 60 cases with unique ids", () => {
    expect(ALL_CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(ALL_CASES.map((c) => c.id)).size).toBe(ALL_CASES.length);
  });

  it("docs/security.md lists every case with its outcome", () => {
    const doc = fs.readFileSync(path.join(__dirname, "../../docs/security.md"), "utf8");
    for (const c of ALL_CASES)
      expect(doc).toMatch(new RegExp(`\\|\\s*\`${c.id}\`\\s*\\|\\s*${c.outcome}\\s*\\|`));
  });
});

hostileSuite("hostile inputs: Dockerfile, context, ADD <url>, registry reads", CASES);
