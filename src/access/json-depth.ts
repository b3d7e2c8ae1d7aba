// Nesting depth of a JSON text, found without parsing it, so a deeply nested body is refused
// before the parser spends stack or memory on it.

/** The deepest nesting of arrays/objects in `text`; strings are skipped. */
export function jsonDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** A \u0000 escape not itself escaped (an even run of backslashes before it). */
export const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/i;

/**
 * Refuses a JSON (or NDJSON) text nested deeper than `maxDepth` or holding a NUL character, raw or
 * escaped: PostgreSQL text cannot hold NUL, and no agency field has a reason to. Returns the reason,
 * or null when the text may be parsed.
 */
export function checkJsonText(text: string, maxDepth: number): string | null {
  if (jsonDepth(text, maxDepth) > maxDepth) return `JSON body is nested deeper than ${maxDepth} levels`;
  if (text.includes('\0') || NUL_ESCAPE.test(text)) return 'JSON strings must not contain NUL characters';
  return null;
}
