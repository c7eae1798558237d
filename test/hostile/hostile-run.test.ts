import { RUN_CASES } from "./cases-run";
import { hostileSuite } from "./suite";

hostileSuite("hostile inputs: RUN with the real runtime", RUN_CASES);
