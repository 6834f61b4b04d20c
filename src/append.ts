/**
 * Appends every item to a list, one at a time: `list.push(...items)` passes
 * the items as arguments, and a few hundred thousand of them (the findings of
 * a YAML stream of 100,000 documents) overflow the stack.
 */
export function append<T>(list: T[], items: Iterable<T>): T[] {
  for (const item of items) list.push(item);
  return list;
}
