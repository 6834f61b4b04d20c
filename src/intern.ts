/**
 * The engine's one copy of a string (V8 keeps property names unique): models
 * that allow the same entry share one string, which stays in the cache, and a
 * lookup with an event's short string (JSON.parse makes those unique too)
 * matches it by identity, without reading it: in a map, a set, or a `===`.
 */
export const intern = (text: string): string => Object.keys({ [text]: 0 })[0]!;
