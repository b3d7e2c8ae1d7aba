// Identity: links every in-scope source record to the one child it belongs to.
export { linkAll, linkRecords, loadModel, type IdentityDeps, type LinkSummary } from './link-records.ts';
export { explainPair, type PairExplanation, type FieldContribution } from './explain-pair.ts';
export {
  listReviewPairs,
  decideReviewPair,
  decidePair,
  mergeChildren,
  splitChild,
  type ReviewItem,
  type Decision,
} from './review-links.ts';
export { evaluateLinks, readTruth, type LinkEvaluation } from './evaluate-links.ts';
export { exportLinks } from './export-links.ts';
export { recordPkBySourceId } from './identity.queries.ts';
