// What the benchmarks share: a seeded random stream, timing, and interleaved
// rounds against a baseline measured in the same run (these machines are noisy).

/** A small seeded generator (mulberry32): the same stream in every run, spread over all 32 bits. */
export function seededRandom(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
}

/** How long `work` takes, in seconds. */
export function seconds(work: () => void): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * Both once to warm up, then `rounds` times each, in turn; the median seconds
 * of each. Work that times only part of itself returns its own seconds.
 */
export function interleaved(rounds: number, ours: () => void | number, baseline: () => void | number): { ours: number; baseline: number } {
  ours();
  baseline();
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(timeOf(ours));
    b.push(timeOf(baseline));
  }
  return { ours: median(a), baseline: median(b) };
}

function timeOf(work: () => void | number): number {
  let own: void | number = undefined;
  const all = seconds(() => (own = work()));
  return typeof own === 'number' ? own : all;
}
