import { defineSuite } from "./harness/define-suite";

// The cases are split over four files so that jest's two workers build them side by side.
defineSuite(0, 4);
