// Recurring addresses: for each dwelling (street, unit, ZIP), the distinct children released to it and
// the day each was first released there. Blank and invalid addresses are never grouped.
import { addressKey, isComparable, type Address } from './quality.ts';

export interface ReleaseAt {
  childId: string;
  on: string;
  address: Address;
}

const NONE: readonly string[] = Object.freeze([]);

/** A ReleaseIndex as plain arrays, for another thread (structured clone) to take as it is. */
export interface ReleaseIndexData {
  keys: string[];
  /** Children released to each key, in key order. */
  sizes: number[];
  /** Each child's first release date to the key, oldest first, key after key. */
  dates: string[];
}

export class ReleaseIndex {
  /**
   * Each address's first release dates, one for each distinct child, oldest first. Most addresses
   * have one child: their entry is the date alone, so that an index of hundreds of thousands of
   * addresses holds no array or map for each (fewer objects for the garbage collector to trace).
   */
  private readonly dates: Map<string, string | string[]>;

  /** The index as another thread can rebuild it without the releases (`fromData`). */
  toData(): ReleaseIndexData {
    const data: ReleaseIndexData = { keys: [], sizes: [], dates: [] };
    for (const [key, dates] of this.dates) {
      data.keys.push(key);
      if (typeof dates === 'string') {
        data.sizes.push(1);
        data.dates.push(dates);
      } else {
        data.sizes.push(dates.length);
        for (const on of dates) data.dates.push(on);
      }
    }
    return data;
  }

  static fromData(data: ReleaseIndexData): ReleaseIndex {
    const index = new ReleaseIndex([]);
    let at = 0;
    data.keys.forEach((key, i) => {
      const size = data.sizes[i]!;
      index.dates.set(key, size === 1 ? data.dates[at]! : data.dates.slice(at, at + size));
      at += size;
    });
    return index;
  }

  constructor(releases: Iterable<ReleaseAt>) {
    // A key's first release is kept as it came; a map of children is made only for a key that a
    // second child was released to.
    const first = new Map<string, ReleaseAt | Map<string, string>>();
    for (const r of releases) {
      if (!isComparable(r.address)) continue;
      const key = addressKey(r.address);
      const seen = first.get(key);
      if (seen === undefined) first.set(key, r);
      else if (seen instanceof Map) {
        const prev = seen.get(r.childId);
        if (prev === undefined || r.on < prev) seen.set(r.childId, r.on);
      } else if (seen.childId === r.childId) {
        if (r.on < seen.on) first.set(key, r);
      } else {
        first.set(
          key,
          new Map([
            [seen.childId, seen.on],
            [r.childId, r.on],
          ]),
        );
      }
    }
    this.dates = new Map();
    for (const [key, seen] of first) {
      this.dates.set(key, seen instanceof Map ? [...seen.values()].sort() : seen.on);
    }
  }

  /** Each distinct child's first release date to the address, oldest first. */
  releasesTo(key: string): readonly string[] {
    const dates = this.dates.get(key);
    if (dates === undefined) return NONE;
    return typeof dates === 'string' ? [dates] : dates;
  }

  /** Addresses with at least `threshold` children, with how many. */
  recurring(threshold: number): { key: string; children: number }[] {
    const out: { key: string; children: number }[] = [];
    for (const [key, dates] of this.dates) {
      const children = typeof dates === 'string' ? 1 : dates.length;
      if (children >= threshold) out.push({ key, children });
    }
    return out.sort((a, b) => b.children - a.children || (a.key < b.key ? -1 : 1));
  }
}
