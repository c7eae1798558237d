import { LAYER_CASES } from "./cases-layers";
import { hostileSuite } from "./suite";

hostileSuite("hostile inputs: layer tars from a registry", LAYER_CASES);
