import { CACHE_CASES } from "./cases-cache";
import { hostileSuite } from "./suite";

hostileSuite("hostile inputs: the cache directory and registry faults", CACHE_CASES);
