/** Syscall numbers the index holds: x86_64's end at 450. */
export const SYSCALL_LIMIT = 512;

/**
 * Which syscall lists allow each syscall, a list by its slot (its model's),
 * and which lists are enforced (their model is active).
 */
export interface SyscallIndex {
  has(slot: number, syscall: number): boolean;
  set(slot: number, syscall: number, on: boolean): void;
  /** Whether a list is enforced (its model is active). */
  enforced(slot: number): boolean;
  enforce(slot: number, on: boolean): void;
  /** No syscall allowed (enforced or not, as it was). */
  clear(slot: number): void;
  /** A slot no list uses any more: no syscall, not enforced. */
  release(slot: number): void;
}

/** The row of the lists that are enforced (their model is active), after the syscalls'. */
const ENFORCED = SYSCALL_LIMIT;

/**
 * The fast index: a row of bits per syscall number, a bit per slot, and a row
 * of the lists enforced. Checking a syscall reads the row of that syscall,
 * which the events of every model share, instead of a table of each model's
 * own: the rows of the common syscalls stay in the cache however many models
 * there are, where a table per model is a miss per event once they outgrow it.
 */
export class BitSyscallIndex implements SyscallIndex {
  private words: Int32Array;
  /** Words per row: a bit for each slot. */
  private stride: number;

  constructor(slots = 32) {
    this.stride = Math.max(1, Math.ceil(slots / 32));
    this.words = new Int32Array((SYSCALL_LIMIT + 1) * this.stride);
  }

  has(slot: number, syscall: number): boolean {
    return slot >>> 5 < this.stride && (this.words[syscall * this.stride + (slot >>> 5)]! & (1 << (slot & 31))) !== 0;
  }

  set(slot: number, syscall: number, on: boolean): void {
    while (slot >>> 5 >= this.stride) this.grow();
    const at = syscall * this.stride + (slot >>> 5);
    if (on) this.words[at]! |= 1 << (slot & 31);
    else this.words[at]! &= ~(1 << (slot & 31));
  }

  enforced(slot: number): boolean {
    return this.has(slot, ENFORCED);
  }

  enforce(slot: number, on: boolean): void {
    this.set(slot, ENFORCED, on);
  }

  clear(slot: number): void {
    if (slot >>> 5 >= this.stride) return;
    for (let syscall = 0; syscall < SYSCALL_LIMIT; syscall++) this.set(slot, syscall, false);
  }

  release(slot: number): void {
    if (slot >>> 5 >= this.stride) return;
    this.clear(slot);
    this.enforce(slot, false);
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

/** The plain twin: a set of syscalls per slot, and a set of the enforced slots. */
export class SetSyscallIndex implements SyscallIndex {
  private readonly bySlot = new Map<number, Set<number>>();
  private readonly enforcedSlots = new Set<number>();

  has(slot: number, syscall: number): boolean {
    return this.bySlot.get(slot)?.has(syscall) === true;
  }

  set(slot: number, syscall: number, on: boolean): void {
    let syscalls = this.bySlot.get(slot);
    if (syscalls === undefined) this.bySlot.set(slot, (syscalls = new Set()));
    if (on) syscalls.add(syscall);
    else syscalls.delete(syscall);
  }

  enforced(slot: number): boolean {
    return this.enforcedSlots.has(slot);
  }

  enforce(slot: number, on: boolean): void {
    if (on) this.enforcedSlots.add(slot);
    else this.enforcedSlots.delete(slot);
  }

  clear(slot: number): void {
    this.bySlot.delete(slot);
  }

  release(slot: number): void {
    this.bySlot.delete(slot);
    this.enforcedSlots.delete(slot);
  }
}
