import type { AddInstruction, CopyInstruction } from "../../parser/instruction";
import { checkChecksum, checkChmod, checkChown } from "../../parser/instructions/copy-options";
import { TsbuildError } from "../../errors";
import type { KeyValue } from "../cache-key";
import type { CopySource, CopyStep } from "../plan";
import { execState } from "./run";
import { resolveInImage } from "./filesystem";
import type { StageState } from "./stage-state";

const URL_SOURCE = /^https?:\/\//i;
const GIT_SOURCE = /^(git@|git:\/\/|https?:\/\/.*\.git(#.*)?$)/i;

/**
 * COPY and ADD: sources, destination and flag values are expanded; the destination is resolved
 * against WORKDIR. The step's key covers the fingerprint of exactly the files it reads (context),
 * the final key of the stage it reads (`--from=stage`), or the image digest (`--from=image`).
 */
export async function dispatchCopy(state: StageState, ins: CopyInstruction | AddInstruction): Promise<void> {
  const env = state.env();
  const heredocNames = new Map(ins.heredocs.map((h) => [h.name, h]));
  const heredocFiles: { name: string; content: string }[] = [];
  const sources: string[] = [];
  for (const word of ins.sources) {
    const doc = /^[0-9]*<<-?/.test(word.value)
      ? heredocNames.get(word.value.replace(/^[0-9]*<<-?\s*/, "").replace(/["']/g, ""))
      : undefined;
    if (doc) {
      const body = doc.chomp ? doc.content.replace(/^\t+/gm, "") : doc.content;
      heredocFiles.push({
        name: doc.name,
        content: doc.expand ? state.expander.text(body, word, env) : body,
      });
      continue;
    }
    const value = state.expander.word(word, env);
    if (value === "")
      throw state.expander.error(word, `${ins.kind} source "${word.value}" expands to an empty string`);
    sources.push(value);
  }
  const destRaw = state.expander.word(ins.dest, env);
  // Counted as written, like BuildKit: a wildcard is one source however many paths it matches
  // (a match copies to the destination as named, as fsutil's copier does for each match).
  const multiple = sources.length + heredocFiles.length > 1;
  let dest = resolveInImage(state, destRaw);
  if (multiple && !dest.endsWith("/")) {
    throw state.expander.error(
      ins.dest,
      `When using ${ins.kind} with more than one source file, the destination must be a directory and end with a /`,
    );
  }
  const chown =
    ins.chown === undefined ? undefined : expandChecked(state, ins, "chown", ins.chown, checkChown);
  const chmod =
    ins.chmod === undefined ? undefined : expandChecked(state, ins, "chmod", ins.chmod, checkChmod);
  const exclude = ins.exclude.map((e) => state.expander.text(e, ins.dest, env));
  // `--checksum=${DIGEST}` is expanded like the other flags, then checked as the parser checks it.
  const checksum =
    ins.kind === "ADD" && ins.checksum !== undefined
      ? expandChecked(state, ins, "checksum", ins.checksum, checkChecksum)
      : undefined;

  if (ins.kind === "ADD" && checksum !== undefined) {
    // BuildKit's checks (convert_copy.go): a checksum pins one remote file.
    const flag = ins.node.flags.find((f) => /^--checksum=/i.test(f.value)) ?? ins.dest;
    if (sources.length + heredocFiles.length !== 1)
      throw state.expander.error(flag, "checksum can't be specified for multiple sources");
    if (!URL_SOURCE.test(sources[0] ?? "") && !GIT_SOURCE.test(sources[0] ?? ""))
      throw state.expander.error(flag, "checksum requires HTTP(S) or Git sources");
  }
  let source: CopySource;
  let sourceKey: string;
  const fromValue = ins.kind === "COPY" ? ins.from : undefined;
  if (heredocFiles.length > 0) {
    if (sources.length > 0)
      throw state.expander.error(ins.sources[0], `${ins.kind} cannot mix heredocs and other sources`);
    source = { kind: "heredoc", files: heredocFiles };
    sourceKey = JSON.stringify(heredocFiles);
    if (heredocFiles.length === 1 && !dest.endsWith("/")) dest = dest.replace(/\/$/, "");
  } else if (fromValue !== undefined) {
    const flag = ins.node.flags.find((f) => /^--from=/i.test(f.value)) ?? ins.dest;
    const ref = state.resolveFrom(fromValue, flag);
    if (ref.kind === "stage" && ref.stage > state.index) {
      // BuildKit dispatches stages in file order: a later stage is not there yet to copy from.
      const current = state.graph.nodes[state.index]?.stage.name ?? `stage-${state.index}`;
      throw state.expander.error(
        flag,
        `cannot copy from stage "${fromValue}", it needs to be defined before current stage "${current}"`,
      );
    }
    if (ref.kind === "stage") {
      source = { kind: "stage", stage: ref.stage };
      sourceKey = `stage:${state.stageKey(ref.stage, flag)}`;
    } else if (ref.kind === "image") {
      const image = await state.inputs.images.resolve(ref.ref, state.inputs.platform);
      source = { kind: "image", ref: ref.ref };
      sourceKey = `image:${image.digest}`;
    } else {
      throw state.expander.error(flag, "COPY --from=scratch has nothing to copy");
    }
  } else if (ins.kind === "ADD" && sources.every((s) => URL_SOURCE.test(s) || GIT_SOURCE.test(s))) {
    if (sources.some((s) => GIT_SOURCE.test(s))) {
      throw state.expander.error(ins.sources[0], "ADD from a Git repository is not supported yet");
    }
    source = { kind: "url" };
    // With --checksum the content is pinned; without, the key follows the remote's validators,
    // so a changed file at the same URL is fetched again (BuildKit re-checks URLs every build).
    const urls = checksum === undefined ? state.inputs.urls : undefined;
    const validators = urls
      ? await Promise.all(
          sources.map((u, i) =>
            urls.validator(u).catch((err: unknown) => {
              if (err instanceof TsbuildError) throw state.expander.error(ins.sources[i], err.message);
              throw err;
            }),
          ),
        )
      : [];
    sourceKey = `url:${JSON.stringify(sources)}:${checksum ?? ""}:${JSON.stringify(validators)}`;
  } else {
    const remote = sources.find((s) => URL_SOURCE.test(s));
    if (remote !== undefined) {
      throw state.expander.error(ins.sources[0], `${ins.kind} cannot mix URLs and local sources`);
    }
    try {
      const fingerprint = await state.inputs.context.fingerprint(sources, {
        exclude,
        ...(ins.parents ? { parents: true } : {}),
      });
      source = { kind: "context", fingerprint };
      sourceKey = `context:${fingerprint}`;
    } catch (err) {
      if (err instanceof TsbuildError) throw state.expander.error(ins.sources[0], err.message);
      throw err;
    }
  }
  const link = ins.link;
  const add =
    ins.kind === "ADD"
      ? {
          ...(checksum !== undefined ? { checksum } : {}),
          ...(ins.unpack !== undefined ? { unpack: ins.unpack } : {}),
          keepGitDir: ins.keepGitDir,
        }
      : {};
  const keyOp: KeyValue = {
    op: ins.kind,
    source: sourceKey,
    sources,
    dest,
    chown: chown ?? null,
    chmod: chmod ?? null,
    link,
    parents: ins.parents,
    exclude,
    add:
      ins.kind === "ADD"
        ? { checksum: checksum ?? null, unpack: ins.unpack ?? null, keepGitDir: ins.keepGitDir }
        : null,
  };
  const [parentKey, cacheKey] = state.advance(keyOp);
  // BuildKit's commit message: flags it keeps, sources (heredocs as <<NAME), the destination as
  // written (expanded, not resolved against WORKDIR).
  const createdBy = [
    ins.kind,
    ...(ins.parents ? ["--parents"] : []),
    ...(chown ? [`--chown=${chown}`] : []),
    ...(chmod ? [`--chmod=${chmod}`] : []),
    ...sources,
    ...heredocFiles.map((f) => `<<${f.name}`),
    destRaw,
  ].join(" ");
  const step: CopyStep = {
    kind: "copy",
    instruction: ins.kind,
    id: state.nextId(),
    stage: state.index,
    cacheKey,
    parentKey,
    keyOp,
    display: ins.node.original.replace(/\s+/g, " ").slice(0, 200),
    createdBy: `${createdBy} # buildkit`,
    span: ins.span,
    source,
    sources,
    dest,
    link,
    parents: ins.parents,
    exclude,
    state: execState(state, false),
    ...add,
  };
  if (chown !== undefined) step.chown = chown;
  if (chmod !== undefined) step.chmod = chmod;
  state.steps.push(step);
}

/** Expands a flag value that may hold build args and re-runs its check on the result. */
function expandChecked(
  state: StageState,
  ins: CopyInstruction | AddInstruction,
  name: string,
  raw: string,
  check: (v: string) => string | undefined,
): string {
  const flag = ins.node.flags.find((f) => f.value.startsWith(`--${name}=`)) ?? ins.dest;
  const value = state.expander.text(raw, flag, state.env(), name.length + 3);
  const problem = check(value);
  if (problem !== undefined)
    throw state.expander.error(flag, `invalid --${name}=${value} for ${ins.kind}: ${problem}`);
  return value;
}
