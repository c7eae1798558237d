import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "../../src/engine/build";
import { rm, tempTree } from "./helpers";

/**
 * RUN --mount=type=ssh against a real OpenSSH agent: keys stay in the agent, the step lists them
 * through SSH_AUTH_SOCK, a non-root user gets the socket with the mount's uid and mode, and
 * nothing of it reaches the layer.
 */
const busybox = fs.readFileSync("/bin/busybox");
let ctx: string;
let cache: string;
let out: string;
let keyDir: string;
beforeEach(() => {
  ctx = tempTree({ busybox });
  fs.chmodSync(path.join(ctx, "busybox"), 0o755);
  cache = tempTree({}, "tsbuild-cache-");
  out = tempTree({}, "tsbuild-out-");
  keyDir = tempTree({}, "tsbuild-ssh-keys-");
  execFileSync("ssh-keygen", [
    "-q",
    "-t",
    "ed25519",
    "-N",
    "",
    "-C",
    "tsbuild-test-key",
    "-f",
    path.join(keyDir, "id"),
  ]);
  fs.writeFileSync(path.join(keyDir, "q.c"), CLIENT);
  execFileSync("cc", ["-static", "-O1", "-o", path.join(ctx, "agent-list"), path.join(keyDir, "q.c")]);
});
afterEach(() => rm(ctx, cache, out, keyDir));

// busybox has no unix-socket client: a static one, sending the agent protocol's "list
// identities" request (type 11) and printing the reply (type 12, with the key comments).
const CLIENT = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
int main(void) {
  const char *p = getenv("SSH_AUTH_SOCK");
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  if (!p) return 2;
  strncpy(a.sun_path, p, sizeof a.sun_path - 1);
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 3; }
  unsigned char req[5] = {0, 0, 0, 1, 11};
  write(s, req, 5);
  unsigned char buf[65536]; ssize_t n, total = 0, want = 4;
  while (total < want && (n = read(s, buf + total, sizeof buf - total)) > 0) {
    total += n;
    if (total >= 4) want = 4 + ((buf[0] << 24) | (buf[1] << 16) | (buf[2] << 8) | buf[3]);
    if (want > (ssize_t)sizeof buf) want = sizeof buf;
  }
  fwrite(buf, 1, total, stdout);
  return 0;
}
`;
const base = `FROM scratch
COPY busybox /bin/busybox
COPY agent-list /bin/agent-list
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN echo 'app:x:1000:1000::/:/bin/sh' > /etc/passwd && mkdir -m 777 /w
`;
const query = "agent-list | grep -c tsbuild-test-key";

test("keys given to --ssh: an agent is started, the step sees its identities", async () => {
  fs.writeFileSync(
    path.join(ctx, "Dockerfile"),
    `${base}RUN --mount=type=ssh echo "$SSH_AUTH_SOCK" > /sock.txt && ${query} > /found.txt && ls -ln "$SSH_AUTH_SOCK" | cut -c1-10 > /mode.txt
USER app
RUN --mount=type=ssh,uid=1000,mode=0600 ${query} > /w/as-app.txt
RUN --mount=type=ssh (agent-list || echo denied) > /w/default-owner.txt 2>&1
`,
  );
  await build({
    context: ctx,
    cacheDir: cache,
    ssh: [{ id: "default", paths: [path.join(keyDir, "id")] }],
    outputs: [{ type: "local", dest: out }],
  });
  expect(fs.readFileSync(path.join(out, "sock.txt"), "utf8")).toBe("/run/buildkit/ssh_agent.0\n");
  expect(fs.readFileSync(path.join(out, "found.txt"), "utf8")).toBe("1\n");
  expect(fs.readFileSync(path.join(out, "mode.txt"), "utf8")).toBe("srw-------\n");
  expect(fs.readFileSync(path.join(out, "w/as-app.txt"), "utf8")).toBe("1\n");
  // The default socket is root's, 0600: another user cannot use the agent.
  expect(fs.readFileSync(path.join(out, "w/default-owner.txt"), "utf8")).toMatch(
    /Permission denied[\s\S]*denied/,
  );
  expect(fs.existsSync(path.join(out, "run/buildkit/ssh_agent.0"))).toBe(false);
});

test("a running agent's socket (--ssh default) is forwarded; a required missing id is a clear error", async () => {
  const sock = path.join(keyDir, "agent.sock");
  const agent = spawn("ssh-agent", ["-D", "-a", sock], { stdio: "ignore" });
  try {
    for (let i = 0; i < 100 && !fs.existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
    execFileSync("ssh-add", [path.join(keyDir, "id")], {
      env: { ...process.env, SSH_AUTH_SOCK: sock },
      stdio: "ignore",
    });
    fs.writeFileSync(path.join(ctx, "Dockerfile"), `${base}RUN --mount=type=ssh ${query} > /found.txt\n`);
    await build({
      context: ctx,
      cacheDir: cache,
      ssh: [{ id: "default", paths: [sock] }],
      outputs: [{ type: "local", dest: out }],
    });
    expect(fs.readFileSync(path.join(out, "found.txt"), "utf8")).toBe("1\n");
    fs.writeFileSync(
      path.join(ctx, "Dockerfile"),
      `${base}RUN --mount=type=ssh,id=deploy,required=true true\n`,
    );
    await expect(build({ context: ctx, cacheDir: cache })).rejects.toThrow(
      /Dockerfile:6:1: .*no SSH agent or key "deploy" forwarded \(build with --ssh deploy\)/,
    );
  } finally {
    agent.kill();
  }
});
