import { ensureDist } from "../cli/helpers";
import { KILL_CASES } from "./cases-kill";
import { hostileSuite } from "./suite";

beforeAll(() => ensureDist(), 300_000);

hostileSuite("hostile inputs: tsbuild killed mid-build", KILL_CASES);
