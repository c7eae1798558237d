import { errorOf, parseAs } from "./helpers";

describe("RUN", () => {
  test("RUN apt-get update && apt-get install -y curl", () => {
    const run = parseAs("RUN", "RUN apt-get update && apt-get install -y curl");
    expect(run.command).toEqual({ form: "shell", args: ["apt-get update && apt-get install -y curl"] });
    expect(run.mounts).toEqual([]);
  });

  test('RUN ["/bin/echo", "hi"]', () => {
    expect(parseAs("RUN", 'RUN ["/bin/echo", "hi"]').command).toEqual({
      form: "exec",
      args: ["/bin/echo", "hi"],
    });
  });

  test("RUN --mount=type=cache,target=/root/.cache,sharing=locked,id=pip,mode=0755,uid=1000 pip install .", () => {
    const run = parseAs(
      "RUN",
      "RUN --mount=type=cache,target=/root/.cache,sharing=locked,id=pip,mode=0755,uid=1000 pip install .",
    );
    expect(run.mounts).toEqual([
      {
        type: "cache",
        target: "/root/.cache",
        sharing: "locked",
        id: "pip",
        mode: 0o755,
        uid: 1000,
        readOnly: false,
      },
    ]);
  });

  test("RUN --mount=from=build,src=/out,dst=/in,rw --mount=type=tmpfs,target=/tmp,size=64m make", () => {
    const run = parseAs(
      "RUN",
      "RUN --mount=from=build,src=/out,dst=/in,rw --mount=type=tmpfs,target=/tmp,size=64m make",
    );
    expect(run.mounts).toEqual([
      { type: "bind", from: "build", source: "/out", target: "/in", readOnly: false },
      { type: "tmpfs", target: "/tmp", size: 64 * 1024 * 1024, readOnly: false },
    ]);
  });

  test("RUN --mount=type=secret,id=npmrc,env=NPM_TOKEN,required npm ci", () => {
    const run = parseAs("RUN", "RUN --mount=type=secret,id=npmrc,env=NPM_TOKEN,required npm ci");
    expect(run.mounts[0]).toEqual({
      type: "secret",
      id: "npmrc",
      env: "NPM_TOKEN",
      required: true,
      readOnly: false,
    });
  });

  test("RUN --mount=type=ssh git clone git@example.com:x.git", () => {
    expect(parseAs("RUN", "RUN --mount=type=ssh git clone x").mounts[0].type).toBe("ssh");
  });

  test("RUN --mount=type=cache,target=/c,uid=$UID make (variables are checked after expansion)", () => {
    const run = parseAs("RUN", "RUN --mount=type=cache,target=/c,uid=$UID make");
    expect(run.mounts[0].uid).toBeUndefined();
    expect(run.mountFlags[0].value).toBe("type=cache,target=/c,uid=$UID");
  });

  test("RUN --network=none --security=insecure make", () => {
    const run = parseAs("RUN", "RUN --network=none --security=insecure make");
    expect([run.network, run.security]).toEqual(["none", "insecure"]);
  });

  test("RUN --mount=type=foo,target=/x true", () => {
    const err = errorOf("RUN --mount=type=foo,target=/x true");
    expect(err.problem).toBe('unsupported mount type "foo" (expected bind, cache, tmpfs, secret or ssh)');
    expect([err.line, err.column]).toEqual([1, 18]);
  });

  test("RUN --mount=type=bind,target=/x,sharing=locked true (sharing is for cache mounts)", () => {
    const err = errorOf("RUN --mount=type=bind,target=/x,sharing=locked true");
    expect(err.problem).toBe("unexpected key 'sharing' for --mount type=bind");
    expect(err.column).toBe(33);
  });

  test("RUN --mount=type=cache,target=/x,sharng=locked true", () => {
    const err = errorOf("RUN --mount=type=cache,target=/x,sharng=locked true");
    expect(err.problem).toBe("unexpected key 'sharng' for --mount type=cache (did you mean sharing?)");
  });

  test("RUN --mount=type=cache,target=/x,sharing=open true", () => {
    const err = errorOf("RUN --mount=type=cache,target=/x,sharing=open true");
    expect(err.problem).toBe("invalid --mount sharing=open (expected shared, private or locked)");
    expect(err.column).toBe(42);
  });

  test("RUN --mount=type=cache,target=/x,mode=999 true", () => {
    expect(errorOf("RUN --mount=type=cache,target=/x,mode=999 true").problem).toMatch(
      /^invalid --mount mode=999/,
    );
  });

  test("RUN --mount=type=cache,target=/x,uid=me true", () => {
    expect(errorOf("RUN --mount=type=cache,target=/x,uid=me true").problem).toMatch(
      /^invalid --mount uid=me/,
    );
  });

  test("RUN --mount=type=tmpfs,target=/x,size=lots true", () => {
    expect(errorOf("RUN --mount=type=tmpfs,target=/x,size=lots true").problem).toMatch(
      /^invalid --mount size=lots/,
    );
  });

  test("RUN --mount=type=cache,ro=maybe,target=/x true", () => {
    expect(errorOf("RUN --mount=type=cache,ro=maybe,target=/x true").problem).toBe(
      "invalid --mount ro=maybe (expected true or false)",
    );
  });

  test("RUN --mount=type=cache true (a cache mount needs a target)", () => {
    const err = errorOf("RUN --mount=type=cache true");
    expect(err.problem).toBe("--mount type=cache requires a target");
    expect(err.column).toBe(13);
  });

  test("RUN --mount=type=bind,target=/a,target=/b true", () => {
    expect(errorOf("RUN --mount=type=bind,target=/a,target=/b true").problem).toBe(
      '--mount key "target" given more than once',
    );
  });

  test("RUN --network=bridge true", () => {
    const err = errorOf("RUN --network=bridge true");
    expect(err.problem).toBe("invalid --network=bridge for RUN (expected default, none or host)");
    expect(err.column).toBe(15);
  });

  test("RUN --security=privileged true", () => {
    expect(errorOf("RUN --security=privileged true").problem).toBe(
      "invalid --security=privileged for RUN (expected insecure or sandbox)",
    );
  });

  test("RUN --mount true (missing value)", () => {
    const err = errorOf("RUN --mount true");
    expect(err.problem).toBe("missing value for flag --mount");
    expect([err.column, err.span.end.column]).toEqual([5, 11]);
  });

  test("RUN --mout=type=cache true", () => {
    expect(errorOf("RUN --mout=type=cache true").problem).toBe(
      "unknown flag: mout for RUN (did you mean mount?)",
    );
  });

  test("RUN with no command", () => {
    const err = errorOf("RUN");
    expect(err.problem).toBe("RUN requires a command to run");
    expect(err.column).toBe(1);
  });
});
