/**
 * The seed of the model and property tests that sample: MODEL_SEED replays a printed one,
 * otherwise each run draws its own. Read when a test file loads, so each file prints the
 * seed it used.
 */
export const MODEL_SEED = Number(process.env.MODEL_SEED ?? Date.now() % 100_000);
