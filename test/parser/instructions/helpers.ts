import { DockerfileError } from "../../../src/parser/errors";
import { parseInstruction, type Instruction } from "../../../src/parser/instruction";
import { buildNode, contextFor } from "./build-node";

/** Types one single-line instruction. */
export function parseLine(line: string): Instruction {
  return parseInstruction(buildNode(line), contextFor(line));
}

/** Types a line of the given kind, failing the test when the kind differs. */
export function parseAs<K extends Instruction["kind"]>(
  kind: K,
  line: string,
): Extract<Instruction, { kind: K }> {
  const instruction = parseLine(line);
  if (instruction.kind !== kind) throw new Error(`expected ${kind}, got ${instruction.kind}`);
  return instruction as Extract<Instruction, { kind: K }>;
}

/** The DockerfileError a line raises (fails when it parses). */
export function errorOf(line: string): DockerfileError {
  try {
    parseLine(line);
  } catch (err) {
    if (err instanceof DockerfileError) return err;
    throw err;
  }
  throw new Error(`expected "${line}" to fail`);
}
