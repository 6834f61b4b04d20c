/** Syscall numbers the index holds: x86_64's end at 450. */
export const SYSCALL_LIMIT = 512;

/** The row of the lists that are enforced (their model is active), after the syscalls'. */
const ENFORCED = SYSCALL_LIMIT;

/**
 * Which syscall lists allow each syscall: a row of bits per syscall number, a
 * bit per list (its slot), and a row of the lists enforced. Checking a
 * syscall reads the row of that syscall, which the events of every model
 * share, instead of a table of each model's own: the rows of the common
 * syscalls stay in the cache however many models there are, where a table
 * per model is a miss per event once they outgrow it.
 */
export class SyscallIndex {
  private words: Int32Array;
  /** Words per row: a bit for each slot. */
  private stride: number;
  private next = 0;
  private readonly free: number[] = [];
  private readonly collected = new FinalizationRegistry<number>((slot) => this.release(slot));
  /** What else keeps slots (the entry indexes), told when one is released, before it is used again. */
  private readonly releasing: Array<(slot: number) => void> = [];

  constructor(slots = 1024) {
    this.stride = Math.max(1, Math.ceil(slots / 32));
    this.words = new Int32Array((SYSCALL_LIMIT + 1) * this.stride);
  }

  /** A slot for a list, with no syscall allowed (a new slot has none, a released one was cleared); given back when `owner` is collected. */
  allocate(owner?: object): number {
    const slot = this.free.pop() ?? this.next++;
    if (slot >= this.stride * 32) this.grow();
    if (owner !== undefined) this.collected.register(owner, slot);
    return slot;
  }

  /** A slot no list uses any more, cleared for the next list. */
  release(slot: number): void {
    this.clear(slot);
    this.enforce(slot, false);
    for (const release of this.releasing) release(slot);
    this.free.push(slot);
  }

  onRelease(release: (slot: number) => void): void {
    this.releasing.push(release);
  }

  has(slot: number, syscall: number): boolean {
    return (this.words[syscall * this.stride + (slot >>> 5)]! & (1 << (slot & 31))) !== 0;
  }

  set(slot: number, syscall: number, on: boolean): void {
    const at = syscall * this.stride + (slot >>> 5);
    if (on) this.words[at]! |= 1 << (slot & 31);
    else this.words[at]! &= ~(1 << (slot & 31));
  }

  /** Whether a list is enforced (its model is active). */
  enforced(slot: number): boolean {
    return this.has(slot, ENFORCED);
  }

  /** Marks a list enforced (its model is active) or not. */
  enforce(slot: number, on: boolean): void {
    this.set(slot, ENFORCED, on);
  }

  /** No syscall allowed. */
  clear(slot: number): void {
    for (let syscall = 0; syscall < SYSCALL_LIMIT; syscall++) this.set(slot, syscall, false);
  }

  /** Twice the slots, every row copied. */
  private grow(): void {
    const stride = this.stride * 2;
    const words = new Int32Array((SYSCALL_LIMIT + 1) * stride);
    for (let syscall = 0; syscall <= ENFORCED; syscall++) words.set(this.words.subarray(syscall * this.stride, (syscall + 1) * this.stride), syscall * stride);
    this.words = words;
    this.stride = stride;
  }
}

/** The index every model's syscall list is kept in. */
export const SYSCALLS = new SyscallIndex();
