import type { Audit, RuntimeEvent } from '../../model/index.ts';
import type { EnforcerStatus } from './status.ts';

/** A running container as enforcement needs it. */
export interface EnforcedContainer {
  id: string;
  name: string;
  /** Its main process: the namespaces entered are its own. */
  pid: number;
  /** Its cgroup v2 id, as the kernel names it. */
  cgroupId?: string;
}

/** What a container is to be held to: a key that changes when the target does, and the target, made only then. */
export interface Desired<Target> {
  container: EnforcedContainer;
  key: string;
  target: () => Target;
}

/** What was done to one activity, as an audit says it. */
export type Action = NonNullable<Audit['action']>;

/**
 * One enforcement point of the defender (the exec guard, the network guard,
 * the file guard, block, the seccomp check): given the whole desired state at
 * each reconcile, it applies what changed — holds the containers it names to
 * their targets, lets every other go — and says what it does to an activity.
 */
export interface Enforcer<Target> {
  readonly name: string;
  /** Holds each container of `desired` to its target and lets every other go; applies only what changed. */
  apply(desired: ReadonlyMap<string, Desired<Target>>): Promise<void>;
  /** What it does to an activity of a container: the action taken; `later` when it says so itself (the exec guard's kill comes as a record); undefined: nothing. */
  stops(container: string, event: RuntimeEvent): Action | 'later' | undefined;
  /** Containers held now. */
  readonly held: number;
  /** What it says of itself in the defender's status. */
  status(): EnforcerStatus;
  /** What a defender before this one left in place, taken over: the first `apply` replaces it or takes it away. */
  adopt?(containers: readonly EnforcedContainer[]): Promise<void>;
  /** A container that stopped: what was held in its namespaces went with them. */
  forget?(container: string): void;
  /** Lets every container go (the defender stops). */
  release(): Promise<void>;
}
