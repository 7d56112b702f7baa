// Public API of @llmts/harness: check our model against the PyTorch reference fixtures.
export {
  argmax,
  type Comparison,
  checkCachedLogits,
  checkFixture,
  compare,
  type FixtureReport,
  type Tolerance,
} from "./check.ts";
export { findFixtures, isFixtureDir } from "./discover.ts";
export {
  agreement,
  compareLogits,
  evaluateTokens,
  quantizeInMemory,
  type TokenEvaluation,
} from "./quant-accuracy.ts";
export { FixtureError, type Reference, readReference } from "./reference.ts";
export { formatReport } from "./report.ts";
