/** A container whose syscalls are prevented, and whether it runs its model's seccomp profile. */
export interface SeccompReport {
  container: string;
  name: string;
  model: string;
  has: boolean;
  reason: string;
}

/** What the enforcers say of themselves in the defender's status. */
export interface EnforcerStatus {
  /** The exec guard of prevented containers (with the sensor). */
  guard?: { running: boolean; containers: number; restarts: number; lastUpdateMs?: number };
  /** Containers whose network is held to their model by an nftables table. */
  networkGuard?: { containers: number };
  /** Containers whose files are held to their model by read-only folders. */
  fileGuard?: { containers: number };
  /** Containers whose syscalls are prevented: whether each runs its model's seccomp profile. */
  seccomp?: SeccompReport[];
}
