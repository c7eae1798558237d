// Median and spread of repeated measurements.
"use strict";

/** {median, min, max, n} of the numbers (the mean of the middle two for an even count), or null. */
function summary(values) {
  const xs = values.filter((v) => typeof v === "number" && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = xs.length >> 1;
  const median = xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
  return { median, min: xs[0], max: xs[xs.length - 1], n: xs.length };
}

module.exports = { summary };
