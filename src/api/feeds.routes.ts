// HTTP push for agency systems: POST /api/v1/feeds/{source}/records with a JSON array or NDJSON of
// records (the same fields as the files). Each record is answered: accepted, unchanged, corrected or
// rejected with field-level reasons. Records are committed before the answer is sent.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { Type } from '@sinclair/typebox';
import { Nullable } from '../shared/schema.ts';
import {
  createBatch,
  finishBatch,
  ingestRows,
  isSource,
  type IncomingRow,
  type Source,
} from '../feeds/index.ts';
import { BridgeError } from '../shared/errors.ts';
import type { ApiDeps } from './server.ts';
import type { Projections } from '../projections.ts';
import { checkJsonText } from '../access/json-depth.ts';
import { actorOfRequest, auditAct } from '../access/disclosure.ts';

// Records are flat objects in an array (or one per line): anything deeper is not a feed.
const MAX_JSON_DEPTH = 32;

/**
 * Decides whether the calling system may push records for `source`. The access module supplies the
 * real check (which agency system sends what); until then every caller is allowed.
 */
export type AuthorizeFeedPush = (request: FastifyRequest, source: Source) => Promise<void>;
export const allowAllFeedPush: AuthorizeFeedPush = async () => {};

export interface FeedRoutesOptions {
  authorizeFeedPush?: AuthorizeFeedPush;
  /** Largest body accepted, in bytes (default 10 MiB); larger ones get 413. */
  bodyLimit?: number;
  projections?: Projections;
}

const FieldReason = Type.Object({ field: Type.String(), reason: Type.String() });
const Result = Type.Object({
  index: Type.Integer({ description: '1-based position of the record in the request' }),
  record_id: Nullable(Type.String()),
  status: Type.Union([
    Type.Literal('accepted'),
    Type.Literal('unchanged'),
    Type.Literal('corrected'),
    Type.Literal('rejected'),
  ]),
  in_scope: Type.Optional(Type.Boolean()),
  reasons: Type.Optional(Type.Array(FieldReason)),
});
const PushResponse = Type.Object({
  batch_id: Type.Integer(),
  counts: Type.Object({
    records: Type.Integer(),
    accepted: Type.Integer(),
    unchanged: Type.Integer(),
    corrected: Type.Integer(),
    rejected: Type.Integer(),
  }),
  results: Type.Array(Result),
});
const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: true }),
});

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return { line, column: position - before.lastIndexOf('\n') };
}

function jsonError(text: string, e: unknown, lineOffset?: number): BridgeError {
  const msg = (e as Error).message;
  const m = /position (\d+)/.exec(msg);
  if (lineOffset !== undefined) {
    const col = m ? Number(m[1]) + 1 : undefined;
    return new BridgeError(
      'BODY_INVALID',
      `malformed JSON on line ${lineOffset}${col ? `, column ${col}` : ''}: ${msg}`,
      { line: lineOffset, ...(col ? { column: col } : {}) },
    );
  }
  const position = m ? Number(m[1]) : text.length;
  const at = lineAndColumn(text, position);
  return new BridgeError(
    'BODY_INVALID',
    `malformed JSON at position ${position} (line ${at.line}, column ${at.column}): ${msg}`,
    { position, ...at },
  );
}

/** Turns the body into rows: fields by lower-case name as strings, and each record's own text. */
export function recordsFromBody(body: string, ndjson: boolean): IncomingRow[] {
  const items: { value: unknown; raw: string }[] = [];
  if (ndjson) {
    const lines = body.split('\n');
    lines.forEach((l, i) => {
      const text = l.replace(/\r$/, '');
      if (text.trim() === '') return;
      try {
        items.push({ value: JSON.parse(text), raw: text });
      } catch (e) {
        throw jsonError(text, e, i + 1);
      }
    });
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      throw jsonError(body, e);
    }
    if (!Array.isArray(parsed)) {
      throw new BridgeError('BODY_INVALID', 'the body must be a JSON array of records (or NDJSON)');
    }
    for (const v of parsed) items.push({ value: v, raw: JSON.stringify(v) });
  }
  return items.map(({ value, raw }, i) => {
    const row: IncomingRow = { line: i + 1, rawText: raw, fields: {} };
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      row.readProblems = [{ field: '(record)', reason: 'not a JSON object' }];
      return row;
    }
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const key = k.trim().toLowerCase();
      if (v === null || v === undefined) row.fields[key] = '';
      else if (typeof v === 'string') row.fields[key] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') row.fields[key] = String(v);
      else {
        row.fields[key] = JSON.stringify(v);
        (row.readProblems ??= []).push({ field: key, reason: 'must be a string, number or null' });
      }
    }
    return row;
  });
}

export function feedRoutes(deps: ApiDeps, options: FeedRoutesOptions = {}): FastifyPluginAsync {
  const authorize = options.authorizeFeedPush ?? allowAllFeedPush;
  const bodyLimit = options.bodyLimit ?? 10 * 1024 * 1024;
  return async (app) => {
    // The body is read as text so that a syntax error can be located and each record's text kept.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser(
      ['application/json', 'application/x-ndjson'],
      { parseAs: 'string', bodyLimit },
      (_req, body, done) => {
        // The same door as every other JSON body: no deep nesting, no NUL, before anything is parsed.
        const refused = checkJsonText(body as string, MAX_JSON_DEPTH);
        if (refused) done(new BridgeError('BODY_INVALID', refused), undefined);
        else done(null, body);
      },
    );

    const preHandler: preHandlerAsyncHookHandler = async (req) => {
      const { source } = req.params as { source: string };
      if (!isSource(source)) {
        throw new BridgeError(
          'FEED_SOURCE_UNKNOWN',
          `unknown source "${source}" (expected cbp, ice, orr, opla or eoir)`,
        );
      }
      await authorize(req, source);
    };

    app.post(
      '/api/v1/feeds/:source/records',
      {
        config: { permission: 'feed.push', resourceParam: 'source' },
        bodyLimit,
        preHandler,
        schema: {
          summary: 'Push records of one source (JSON array or NDJSON, the same fields as the files)',
          tags: ['feeds'],
          params: Type.Object({ source: Type.String({ description: 'cbp, ice, orr, opla or eoir' }) }),
          response: { 200: PushResponse, 400: ErrorBody, 404: ErrorBody, 413: ErrorBody },
        },
      },
      async (req: FastifyRequest, reply: FastifyReply) => {
        const source = (req.params as { source: Source }).source;
        const ndjson = /ndjson/i.test(String(req.headers['content-type'] ?? ''));
        if (typeof req.body !== 'string') {
          throw new BridgeError(
            'BODY_INVALID',
            'send a JSON array (application/json) or NDJSON (application/x-ndjson)',
          );
        }
        const rows = recordsFromBody(req.body, ndjson);
        const batchId = await createBatch(deps.db, source, 'http', req.id, deps.clock.now());
        const { counts, outcomes } = await ingestRows(
          { db: deps.db, clock: deps.clock, afterRecordsChanged: options.projections?.afterRecordsChanged },
          { source, batchId, rows, keepOutcomes: true },
        );
        // The batch closes with its audit entry: which system pushed how many rows of which source.
        await deps.db.transaction(async (tx) => {
          await finishBatch(tx, batchId, deps.clock.now(), counts);
          await auditAct(tx, deps.clock.now(), actorOfRequest(req), null, {
            action: 'feed.push',
            target: source,
            details: { batch: batchId, rows: counts.rows, quarantined: counts.quarantined },
          });
        });
        const results = outcomes.map((o) => ({
          index: o.line,
          record_id: o.recordId,
          status: (o.status === 'quarantined' ? 'rejected' : o.status === 'new' ? 'accepted' : o.status) as
            'accepted' | 'unchanged' | 'corrected' | 'rejected',
          ...(o.inScope === false ? { in_scope: false } : {}),
          ...(o.reasons.length ? { reasons: o.reasons } : {}),
        }));
        return reply.send({
          batch_id: batchId,
          counts: {
            records: counts.rows,
            accepted: results.filter((r) => r.status === 'accepted').length,
            unchanged: counts.unchanged,
            corrected: results.filter((r) => r.status === 'corrected').length,
            rejected: counts.quarantined,
          },
          results,
        });
      },
    );
  };
}
