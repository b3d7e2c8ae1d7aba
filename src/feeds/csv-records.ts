// Splits CSV text (RFC 4180) into records, each with its first line and its original text, as the
// text arrives in pieces. Written here rather than taken from csv-parse, which reads the same
// fields: with each record's text and line (what a stored row must keep) csv-parse took about ten
// times the CPU of this splitter, the largest single cost of reading a feed. Most rows hold no
// quote, and for them a record is a line split at its commas; a record with a quote is read field by
// field. A record that breaks the quoting rules ends at the end of its line and comes back with the
// reason, and reading goes on at the next line: a stray quote costs one row, not the rest of the file.

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** Longest record read: a quote left open would otherwise hold the rest of the file in memory. */
export const MAX_RECORD_CHARS = 1 << 20;

export interface CsvRecord {
  /** The line the record starts on, from 1. */
  line: number;
  /** The record's text as it was sent, without its line end. */
  raw: string;
  /** Its fields; null when the record is not readable as CSV. */
  fields: string[] | null;
  /** Why it is not readable (set when `fields` is null). */
  problem?: string;
}

type Parsed = { fields: string[]; end: number } | { problem: string; at: number } | null;

export class CsvRecordSplitter {
  private held = '';
  private line = 1;
  private started = false;
  /** The line delimiter: LF (with or without CR before it), or a lone CR (old Mac exports); 0 until seen. */
  private nl = 0;

  /** The records completed by `text`; what may continue in the next piece is held back. */
  push(text: string): CsvRecord[] {
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.held = this.held.length > 0 ? this.held + text : text;
    return this.take(false);
  }

  /** The records left at the end of the text. */
  end(): CsvRecord[] {
    return this.take(true);
  }

  private take(atEnd: boolean): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.nl === 0) {
      const lf = this.held.indexOf('\n');
      const cr = this.held.indexOf('\r');
      // A CR at the very end of the text so far may yet be followed by a LF.
      if (lf < 0 && (cr < 0 || cr === this.held.length - 1) && !atEnd) return out;
      this.nl = cr >= 0 && (lf < 0 || cr < lf - 1) && cr < this.held.length - 1 ? CR : LF;
    }
    const nlChar = this.nlChar;
    const text = this.held;
    let pos = 0;
    // Where the next quote is, looked for again only once reading has passed it.
    let quote = -1;
    while (pos < text.length) {
      const lineEnd = text.indexOf(nlChar, pos);
      if (lineEnd < 0 && !atEnd) break;
      const stop = lineEnd < 0 ? text.length : lineEnd;
      if (quote < pos) {
        quote = text.indexOf('"', pos);
        if (quote < 0) quote = text.length;
      }
      if (quote > stop) {
        // The usual row: no quote, one line.
        const raw = this.trimLineEnd(text, pos, stop);
        if (raw.length > 0) out.push({ line: this.line, raw, fields: raw.split(',') });
        this.line++;
        pos = stop + 1;
        continue;
      }
      const parsed = this.parseQuoted(text, pos, atEnd);
      if (parsed === null) {
        if (!atEnd && text.length - pos <= MAX_RECORD_CHARS) break;
        // A quote that never closes: the record's first line is the bad row, and reading resumes.
        const reason = atEnd
          ? 'a quoted field is not closed by the end of the file'
          : 'a quoted field is not closed within 1 MiB';
        out.push(this.unreadable(text, pos, stop, reason));
        pos = stop + 1;
        continue;
      }
      if ('problem' in parsed) {
        const errEnd = text.indexOf(nlChar, parsed.at);
        if (errEnd < 0 && !atEnd) break;
        const end = errEnd < 0 ? text.length : errEnd;
        out.push(this.unreadable(text, pos, end, parsed.problem));
        pos = end + 1;
        continue;
      }
      const raw = this.trimLineEnd(text, pos, parsed.end);
      out.push({ line: this.line, raw, fields: parsed.fields });
      this.line += 1 + countNewlines(raw, nlChar);
      pos = parsed.end + 1;
    }
    this.held = pos >= text.length ? '' : text.slice(pos);
    return out;
  }

  /** The line delimiter as text. */
  private get nlChar(): string {
    return this.nl === LF ? '\n' : '\r';
  }

  private trimLineEnd(text: string, from: number, to: number): string {
    return this.nl === LF && to > from && text.charCodeAt(to - 1) === CR
      ? text.slice(from, to - 1)
      : text.slice(from, to);
  }

  private unreadable(text: string, from: number, to: number, problem: string): CsvRecord {
    const raw = this.trimLineEnd(text, from, to);
    const record: CsvRecord = { line: this.line, raw, fields: null, problem };
    this.line += 1 + countNewlines(raw, this.nlChar);
    return record;
  }

  /**
   * Reads the record that starts at `start` field by field. Gives its fields and the index of the
   * delimiter that ends it (or the text's length), a problem and where it was found, or null when
   * the text ends before the record does.
   */
  private parseQuoted(text: string, start: number, atEnd: boolean): Parsed {
    const fields: string[] = [];
    const nl = this.nl;
    const nlChar = this.nlChar;
    let i = start;
    // The next comma and line end at or after `i`, each looked for again only once `i` has passed
    // it: looking from each field to the end of its line made a long line cost its length squared.
    let comma = -1;
    let lineEnd = -1;
    for (;;) {
      const field = fields.length + 1;
      if (text.charCodeAt(i) === QUOTE) {
        const quoted = quotedField(text, i, atEnd);
        if (!quoted) return null;
        fields.push(quoted.value);
        i = quoted.end;
        const c = text.charCodeAt(i);
        if (c === COMMA) {
          i++;
          continue;
        }
        if (i >= text.length) return atEnd ? { fields, end: i } : null;
        if (c === nl) return { fields, end: i };
        if (c === CR && nl === LF) {
          if (i + 1 >= text.length && !atEnd) return null;
          if (text.charCodeAt(i + 1) === LF) return { fields, end: i + 1 };
        }
        return { problem: `field ${field} has text after its closing quote`, at: i };
      }
      if (comma < i) {
        comma = text.indexOf(',', i);
        if (comma < 0) comma = text.length;
      }
      if (lineEnd < i) {
        lineEnd = text.indexOf(nlChar, i);
        if (lineEnd < 0) {
          if (!atEnd) return null;
          lineEnd = text.length;
        }
      }
      const fieldEnd = comma < lineEnd ? comma : lineEnd;
      let value = text.slice(i, fieldEnd);
      const stray = value.indexOf('"');
      if (stray >= 0) return { problem: `field ${field} has a quote that does not open it`, at: i + stray };
      if (comma < lineEnd) {
        fields.push(value);
        i = comma + 1;
        continue;
      }
      if (nl === LF && value.charCodeAt(value.length - 1) === CR) value = value.slice(0, -1);
      fields.push(value);
      return { fields, end: lineEnd };
    }
  }
}

/**
 * The value of the quoted field whose opening quote is at `start`, and the index just after its
 * closing quote; null when the text ends first, or may (`atEnd` false: more text may come).
 */
function quotedField(text: string, start: number, atEnd: boolean): { value: string; end: number } | null {
  let value = '';
  let j = start + 1;
  for (;;) {
    const q = text.indexOf('"', j);
    if (q < 0 || (q + 1 >= text.length && !atEnd)) return null;
    if (text.charCodeAt(q + 1) === QUOTE) {
      value += text.slice(j, q + 1);
      j = q + 2;
      continue;
    }
    return { value: value + text.slice(j, q), end: q + 1 };
  }
}

/**
 * The fields of one readable record's text (`CsvRecord.raw`) read again: the same fields the
 * splitter gave. The record's own line end is not part of its text, so any line-end character in it
 * is field text. Null when the text is not one readable record.
 */
export function recordFields(raw: string): string[] | null {
  if (!raw.includes('"')) return raw.split(',');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (raw.charCodeAt(i) === QUOTE) {
      const quoted = quotedField(raw, i, true);
      if (!quoted) return null;
      fields.push(quoted.value);
      i = quoted.end;
      if (i >= raw.length) return fields;
      if (raw.charCodeAt(i) !== COMMA) return null;
      i++;
      continue;
    }
    let comma = raw.indexOf(',', i);
    if (comma < 0) comma = raw.length;
    const value = raw.slice(i, comma);
    if (value.includes('"')) return null;
    fields.push(value);
    if (comma >= raw.length) return fields;
    i = comma + 1;
  }
}

function countNewlines(s: string, nl: string): number {
  let n = 0;
  for (let i = s.indexOf(nl); i >= 0; i = s.indexOf(nl, i + 1)) n++;
  return n;
}
