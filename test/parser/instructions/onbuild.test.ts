import { errorOf, parseAs } from "./helpers";

describe("ONBUILD", () => {
  test("ONBUILD RUN make", () => {
    const onbuild = parseAs("ONBUILD", "ONBUILD RUN make");
    expect(onbuild.trigger.kind).toBe("RUN");
    expect(onbuild.expression).toBe("RUN make");
  });

  test("ONBUILD COPY --chown=app . /src", () => {
    const onbuild = parseAs("ONBUILD", "ONBUILD COPY --chown=app . /src");
    expect(onbuild.trigger.kind === "COPY" && onbuild.trigger.chown).toBe("app");
  });

  test("ONBUILD FROM alpine", () => {
    const err = errorOf("ONBUILD FROM alpine");
    expect(err.problem).toBe("FROM isn't allowed as an ONBUILD trigger");
    expect(err.column).toBe(9);
  });

  test("ONBUILD ONBUILD RUN x", () => {
    expect(errorOf("ONBUILD ONBUILD RUN x").problem).toBe("ONBUILD isn't allowed as an ONBUILD trigger");
  });

  test("ONBUILD MAINTAINER me", () => {
    expect(errorOf("ONBUILD MAINTAINER me").problem).toBe("MAINTAINER isn't allowed as an ONBUILD trigger");
  });

  test("ONBUILD COPY --chmood=1 a /b (the trigger is validated now)", () => {
    const err = errorOf("ONBUILD COPY --chmood=1 a /b");
    expect(err.problem).toBe("unknown flag: chmood for COPY (did you mean chmod?)");
    expect(err.column).toBe(14);
  });
});
