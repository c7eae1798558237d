import type { Argv, ArgumentsCamelCase } from "yargs";
import { UsageError } from "../../errors";
import { login, logout } from "../../registry/login";
import type { CliCommand } from "../command";
import { stringList } from "../store-option";
import { readAll } from "../../bytes";

async function readStdin(): Promise<string> {
  return (await readAll(process.stdin)).toString("utf8").replace(/\r?\n$/, "");
}

/**
 * `tsbuild login [SERVER] -u USER --password-stdin`: checks the credentials against the registry
 * and stores them in ~/.docker/config.json ($DOCKER_CONFIG), as `docker login` does. A password on
 * the command line (`-p`) works with docker's warning: it ends up in shell history and `ps`.
 */
export const loginCommand: CliCommand = {
  builder: (y: Argv) =>
    y
      .positional("server", { type: "string", describe: "registry host (default docker.io)" })
      .option("username", { alias: "u", type: "string", requiresArg: true, describe: "user name" })
      .option("password", {
        alias: "p",
        type: "string",
        requiresArg: true,
        describe: "password (insecure: visible in shell history and ps; prefer --password-stdin)",
      })
      .option("password-stdin", { type: "boolean", describe: "read the password from stdin" })
      .conflicts("password", "password-stdin")
      .option("insecure-registry", {
        type: "string",
        requiresArg: true,
        describe: "plain-HTTP registry host; repeatable",
      }),
  run: async (args: ArgumentsCamelCase) => {
    const username = typeof args.username === "string" ? args.username : undefined;
    if (username === undefined || username === "") throw new UsageError("login: --username is required");
    let password: string;
    if (typeof args.password === "string") {
      // docker's wording: the flag works, with a warning.
      process.stderr.write("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
      password = args.password;
      if (password === "") throw new UsageError("--password: empty password");
    } else {
      if (args.passwordStdin !== true)
        throw new UsageError("login: give the password with --password-stdin (or -p)");
      password = await readStdin();
      if (password === "") throw new UsageError("--password-stdin: empty password");
    }
    const server = typeof args.server === "string" ? args.server : undefined;
    const insecure = stringList(args.insecureRegistry);
    await login(server, { username, password }, insecure.length > 0 ? { insecure } : {});
    process.stdout.write("Login Succeeded\n");
    return 0;
  },
};

/** `tsbuild logout [SERVER]`: removes stored credentials. */
export const logoutCommand: CliCommand = {
  builder: (y: Argv) =>
    y.positional("server", { type: "string", describe: "registry host (default docker.io)" }),
  run: async (args: ArgumentsCamelCase) => {
    const server = typeof args.server === "string" ? args.server : undefined;
    const removed = await logout(server);
    process.stdout.write(
      removed
        ? `Removing login credentials for ${server ?? "docker.io"}\n`
        : `Not logged in to ${server ?? "docker.io"}\n`,
    );
    return 0;
  },
};
