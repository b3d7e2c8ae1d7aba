// Feeds: the five agency feeds taken in as sent (files and HTTP push), raw rows kept with every
// version, bad rows quarantined, and the canonical facts of each row's current version in `record`.
export { ingestFiles, expandPaths, type FileSummary, type IngestFilesOptions } from './ingest-files.ts';
export {
  ingestRows,
  contentHash,
  type AfterRecordsChanged,
  type IncomingRow,
  type IngestCounts,
  type RowOutcome,
  type RowStatus,
} from './ingest-rows.ts';
export { createBatch, finishBatch } from './feeds.queries.ts';
export { readFeedFile, storedRowFields, type StoredRowText } from './read-feed-file.ts';
export { rebuildRecords, type RebuildResult } from './rebuild-records.ts';
export { listQuarantine, showQuarantine, type QuarantineEntry, type QuarantineDetail } from './quarantine.ts';
export {
  SOURCES,
  SOURCE_COLUMNS,
  isSource,
  idColumn,
  mapRow,
  sourceFromFileName,
  type CanonicalRecord,
  type FieldReason,
  type Source,
} from './sources.ts';
export { parseANumber, parseDate, foldName } from './fields.ts';
export { parseSplitName, parseCommaName, parseFreeTextName, type PersonName } from './names.ts';
