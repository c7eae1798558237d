import * as fs from "node:fs";
import { copySpecOf } from "../../src/engine/copy-spec";
import type { CopyStep } from "../../src/planner/plan";
import { makeContext, planOf } from "../planner/helpers";

/** The engine hands src/copy a CopySpec: the planned step's copy fields, nothing of the planner. */
it("maps planned COPY/ADD steps to copy specs", async () => {
  const dir = makeContext({ "a.txt": "a", "b.txt": "b" });
  try {
    const plan = await planOf({
      contextDir: dir,
      dockerfile: [
        "FROM scratch AS build",
        "COPY a.txt /out/",
        "FROM scratch",
        "ARG DEST=/srv",
        "COPY --from=build --chown=1:2 --chmod=640 --parents --exclude=*.tmp /out/ ${DEST}/",
        "ADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 https://example.invalid/x /x",
        "COPY <<EOF /note",
        "hi",
        "EOF",
      ].join("\n"),
    });
    const steps = plan.stages.flatMap((s) => s.steps).filter((s): s is CopyStep => s.kind === "copy");
    expect(steps.map(copySpecOf)).toEqual([
      {
        display: "COPY a.txt /out/",
        instruction: "COPY",
        source: { kind: "context" },
        sources: ["a.txt"],
        dest: "/out/",
        chown: undefined,
        chmod: undefined,
        parents: false,
        exclude: [],
        checksum: undefined,
        unpack: undefined,
      },
      expect.objectContaining({
        instruction: "COPY",
        source: { kind: "stage", stage: 0 },
        sources: ["/out/"],
        dest: "/srv/",
        chown: "1:2",
        chmod: "640",
        parents: true,
        exclude: ["*.tmp"],
      }),
      expect.objectContaining({
        instruction: "ADD",
        source: { kind: "url" },
        sources: ["https://example.invalid/x"],
        checksum: "sha256:0000000000000000000000000000000000000000000000000000000000000000",
      }),
      expect.objectContaining({
        source: { kind: "heredoc", files: [{ name: "EOF", content: "hi\n" }] },
        dest: "/note",
      }),
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
