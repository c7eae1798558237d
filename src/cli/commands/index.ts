/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose: yargs builders are synchronous */
import type { CommandEntry } from "../command";

/** Every subcommand, in the order `--help` lists them; each module loads on first use. */
export const commands: CommandEntry[] = [
  {
    command: ["build [context]", "$0 [context]"],
    describe: "Build an image from a Dockerfile (the default command)",
    load: () => (require("./build") as typeof import("./build")).buildCommand,
  },
  {
    command: "verify [context]",
    describe: "Build, rebuild from an empty cache, and check the image is byte-identical",
    load: () => (require("./verify") as typeof import("./verify")).verifyCommand,
  },
  {
    command: "images [reference]",
    describe: "List images in the local image store",
    load: () => (require("./images") as typeof import("./images")).imagesCommand,
  },
  {
    command: "inspect <names..>",
    describe: "Show an image's manifest and config as JSON",
    load: () => (require("./inspect") as typeof import("./inspect")).inspectCommand,
  },
  {
    command: "history <name>",
    describe: "Show the history of an image",
    load: () => (require("./history") as typeof import("./history")).historyCommand,
  },
  {
    command: "save <names..>",
    describe: "Write an image of the local store to a tar archive",
    load: () => (require("./save") as typeof import("./save")).saveCommand,
  },
  {
    command: "push <name>",
    describe: "Push an image of the local store to its registry",
    load: () => (require("./push") as typeof import("./push")).pushCommand,
  },
  {
    command: "rmi <names..>",
    describe: "Remove one or more images from the local image store",
    load: () => (require("./rmi") as typeof import("./rmi")).rmiCommand,
  },
  {
    command: "du",
    describe: "Show disk usage of the cache and image store",
    load: () => (require("./du") as typeof import("./du")).duCommand,
  },
  {
    command: "prune",
    describe: "Remove build cache",
    load: () => (require("./prune") as typeof import("./prune")).pruneCommand,
  },
  {
    command: "parse [file]",
    describe: "Parse a Dockerfile and print its stages, instructions and lint warnings",
    load: () => (require("./parse") as typeof import("./parse")).parseCommand,
  },
  {
    command: "login [server]",
    describe: "Log in to a registry (credentials go to ~/.docker/config.json)",
    load: () => (require("./login") as typeof import("./login")).loginCommand,
  },
  {
    command: "logout [server]",
    describe: "Log out from a registry",
    load: () => (require("./login") as typeof import("./login")).logoutCommand,
  },
];
