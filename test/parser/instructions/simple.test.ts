import { errorOf, parseAs, parseLine } from "./helpers";

describe("CMD, ENTRYPOINT, SHELL", () => {
  test('CMD ["nginx", "-g", "daemon off;"]', () => {
    expect(parseAs("CMD", 'CMD ["nginx", "-g", "daemon off;"]').command).toEqual({
      form: "exec",
      args: ["nginx", "-g", "daemon off;"],
    });
  });

  test("CMD echo $HOME", () => {
    expect(parseAs("CMD", "CMD echo $HOME").command).toEqual({ form: "shell", args: ["echo $HOME"] });
  });

  test("CMD []", () => {
    expect(parseAs("CMD", "CMD []").command).toEqual({ form: "exec", args: [] });
  });

  test('ENTRYPOINT ["/docker-entrypoint.sh"]', () => {
    expect(parseAs("ENTRYPOINT", 'ENTRYPOINT ["/docker-entrypoint.sh"]').command.args).toEqual([
      "/docker-entrypoint.sh",
    ]);
  });

  test('SHELL ["/bin/bash", "-eo", "pipefail", "-c"]', () => {
    expect(parseAs("SHELL", 'SHELL ["/bin/bash", "-eo", "pipefail", "-c"]').shell).toEqual([
      "/bin/bash",
      "-eo",
      "pipefail",
      "-c",
    ]);
  });

  test("SHELL /bin/bash -c", () => {
    const err = errorOf("SHELL /bin/bash -c");
    expect(err.problem).toMatch(/^SHELL requires the arguments to be in JSON form/);
    expect(err.column).toBe(7);
  });

  test("SHELL []", () => {
    expect(errorOf("SHELL []").problem).toBe("SHELL requires at least one argument");
  });
});

describe("USER, WORKDIR, MAINTAINER, VOLUME, STOPSIGNAL", () => {
  test("USER app:app", () => {
    expect(parseAs("USER", "USER app:app").user).toBe("app:app");
  });

  test("USER", () => {
    const err = errorOf("USER");
    expect(err.problem).toBe("USER requires a user name or uid");
    expect([err.column, err.span.end.column]).toEqual([1, 4]);
  });

  test("WORKDIR /app", () => {
    expect(parseAs("WORKDIR", "WORKDIR /app").path).toBe("/app");
  });

  test("WORKDIR", () => {
    expect(errorOf("WORKDIR").problem).toBe("WORKDIR requires a path");
  });

  test("MAINTAINER Jane <jane@example.com>", () => {
    expect(parseAs("MAINTAINER", "MAINTAINER Jane <jane@example.com>").maintainer).toBe(
      "Jane <jane@example.com>",
    );
  });

  test("VOLUME /data /logs", () => {
    expect(parseAs("VOLUME", "VOLUME /data /logs").volumes.map((w) => w.value)).toEqual(["/data", "/logs"]);
  });

  test('VOLUME [""]', () => {
    expect(errorOf('VOLUME [""]').problem).toBe("VOLUME paths must not be empty");
  });

  test.each(["SIGTERM", "sigkill", "QUIT", "9", "SIGRTMIN+3", "$STOP"])("STOPSIGNAL %s", (signal) => {
    expect(parseAs("STOPSIGNAL", `STOPSIGNAL ${signal}`).signal).toBe(signal);
  });

  test("STOPSIGNAL SIGFOO", () => {
    const err = errorOf("STOPSIGNAL SIGFOO");
    expect(err.problem).toBe(
      'STOPSIGNAL: invalid signal "SIGFOO" (expected a name like SIGTERM or a number)',
    );
    expect(err.column).toBe(12);
  });

  test("STOPSIGNAL 0", () => {
    expect(errorOf("STOPSIGNAL 0").problem).toMatch(/^STOPSIGNAL: invalid signal "0"/);
  });
});

describe("unknown instructions", () => {
  test("COPPY a /b", () => {
    const err = errorOf("COPPY a /b");
    expect(err.problem).toBe("unknown instruction: COPPY (did you mean COPY?)");
    expect([err.line, err.column, err.span.end.column]).toEqual([1, 1, 5]);
  });

  test("entrypiont x", () => {
    expect(errorOf("entrypiont x").problem).toBe(
      "unknown instruction: entrypiont (did you mean ENTRYPOINT?)",
    );
  });

  test("FOO bar", () => {
    expect(errorOf("FOO bar").problem).toBe("unknown instruction: FOO");
  });

  test("run echo (keywords are case-insensitive)", () => {
    expect(parseLine("run echo").kind).toBe("RUN");
  });
});
