// Stable child ids. Each new cluster keeps the id that most of its records already had, as long as
// no other cluster holds more of that id's records; every other cluster gets a new id. So a cluster
// whose records did not change keeps its id, a merge keeps the larger child's id, and a split
// leaves the id with the part that holds most of the records.

export interface ClusterIds {
  /** Id for each cluster, in the order given. */
  ids: string[];
  /** Previous ids no cluster kept (merged away or emptied). */
  retired: string[];
}

export function assignChildIds(
  clusters: readonly (readonly number[])[],
  previous: ReadonlyMap<number, string>,
  newId: () => string,
): ClusterIds {
  const candidates: { c: number; id: string; n: number; size: number }[] = [];
  clusters.forEach((pks, c) => {
    const counts = new Map<string, number>();
    for (const pk of pks) {
      const id = previous.get(pk);
      if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const [id, n] of counts) candidates.push({ c, id, n, size: pks.length });
  });
  // Most records first; ties to the cluster with fewer records (it lost less), then by id.
  candidates.sort((x, y) => y.n - x.n || x.size - y.size || (x.id < y.id ? -1 : x.id > y.id ? 1 : x.c - y.c));
  const ids = new Array<string | undefined>(clusters.length);
  const taken = new Set<string>();
  for (const { c, id } of candidates) {
    if (ids[c] !== undefined || taken.has(id)) continue;
    ids[c] = id;
    taken.add(id);
  }
  const fresh = clusters
    .map((pks, c) => ({ c, first: Math.min(...pks) }))
    .filter(({ c }) => ids[c] === undefined)
    .sort((x, y) => x.first - y.first);
  for (const { c } of fresh) ids[c] = newId();
  const retired = [...new Set(previous.values())].filter((id) => !taken.has(id)).sort();
  return { ids: ids as string[], retired };
}
