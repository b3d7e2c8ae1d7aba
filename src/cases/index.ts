// Public surface of the cases module: a child's state and timeline as of any date.
export { caseState, openCases, nextHearing } from './case-state.ts';
export type { CaseState, CustodyStatus, TimelineEntry, CourtCase, Nta, AddressFact } from './case-state.ts';
export type { CaseRecord, Source } from './case-record.ts';
export { showChildCase, showChildCaseWith } from './show-case.ts';
export type { ChildCase } from './show-case.ts';
export {
  recordsOfChildren,
  childRecordsReader,
  batchedChildRecordsReader,
  type AlongsideSql,
  type ChildRecordsReader,
} from './cases.queries.ts';
