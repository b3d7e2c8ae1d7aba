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
  children: string[];
  dates: string[];
}

export class ReleaseIndex {
  private readonly firstRelease = new Map<string, Map<string, string>>();
  private sorted = new Map<string, string[]>();

  /** The index as another thread can rebuild it without the releases (`fromData`). */
  toData(): ReleaseIndexData {
    const data: ReleaseIndexData = { keys: [], sizes: [], children: [], dates: [] };
    for (const [key, children] of this.firstRelease) {
      data.keys.push(key);
      data.sizes.push(children.size);
      for (const [child, on] of children) {
        data.children.push(child);
        data.dates.push(on);
      }
    }
    return data;
  }

  static fromData(data: ReleaseIndexData): ReleaseIndex {
    const index = new ReleaseIndex([]);
    let at = 0;
    data.keys.forEach((key, i) => {
      const children = new Map<string, string>();
      for (const end = at + data.sizes[i]!; at < end; at++) children.set(data.children[at]!, data.dates[at]!);
      index.firstRelease.set(key, children);
    });
    return index;
  }

  constructor(releases: Iterable<ReleaseAt>) {
    for (const r of releases) {
      if (!isComparable(r.address)) continue;
      const key = addressKey(r.address);
      let children = this.firstRelease.get(key);
      if (!children) this.firstRelease.set(key, (children = new Map()));
      const prev = children.get(r.childId);
      if (prev === undefined || r.on < prev) children.set(r.childId, r.on);
    }
  }

  /** Each distinct child's first release date to the address, oldest first. */
  releasesTo(key: string): readonly string[] {
    const children = this.firstRelease.get(key);
    if (!children) return NONE;
    // Most addresses have one child: a sweep asks about hundreds of thousands of them, so only the
    // lists that need sorting are kept.
    if (children.size === 1) return [...children.values()];
    let s = this.sorted.get(key);
    if (!s) {
      s = [...children.values()].sort();
      this.sorted.set(key, s);
    }
    return s;
  }

  /** Addresses with at least `threshold` children, with how many. */
  recurring(threshold: number): { key: string; children: number }[] {
    const out: { key: string; children: number }[] = [];
    for (const [key, children] of this.firstRelease) {
      if (children.size >= threshold) out.push({ key, children: children.size });
    }
    return out.sort((a, b) => b.children - a.children || (a.key < b.key ? -1 : 1));
  }
}
