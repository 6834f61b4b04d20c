import type { ModelDimension, RuntimeEvent, RuntimeEventKind, Severity } from '../model/index.ts';
import { intern } from '../intern.ts';

/** What a rule knows of an event besides the event: where its process comes from, and whether the model knows it. */
export interface RuleContext {
  /** Names of the process's ancestors inside the container, nearest first. */
  ancestors: readonly string[];
  /** Whether the container's model allows the program the event's process runs (asked only when a rule needs it). */
  knownProcess: () => boolean;
}

/** What the checks of one event share besides the event: its context, and the program its process runs, found once. */
export interface CheckContext extends RuleContext {
  /** The program the event's process runs, by name (`programOf`). */
  readonly program: string;
  /**
   * For a connection: how many distinct ports of its peer the container reached
   * within the scan window, this one included, and over how many milliseconds
   * (counted when a check first asks, once per event).
   */
  peerPorts(): { ports: number; ms: number };
}

/** A check of one kind of event: the evidence when it fires. */
export type Check = (event: RuntimeEvent, context: CheckContext) => string | undefined;

/** A detection rule: one file each in rules/, with what it needs and what it means. */
export interface Rule {
  id: string;
  title: string;
  severity: Severity;
  /** The MITRE ATT&CK technique the behaviour belongs to. */
  technique: { id: string; name: string };
  /** The event kinds it reads. */
  kinds: readonly RuntimeEventKind[];
  /** It fires only against an active model (a deviation), or on its own (known-bad behaviour). */
  needsModel: boolean;
  /** For a model rule: the model dimension whose lack it reports. */
  dimension?: ModelDimension;
  description: string;
  /**
   * A known-bad rule's checks, one per event kind it reads: the evidence, in
   * a sentence, when the event is what it looks for.
   */
  detect?: Partial<Record<RuntimeEventKind, Check>>;
}

/**
 * The program a process runs, by name: `/usr/bin/bash` → `bash`. A multi-call
 * binary (busybox, toybox) runs the applet its argv[0] names (a link, or its
 * shell running an applet again through `/proc/self/exe`), and, run by its own
 * name, the one its first argument names: `busybox nc …` is nc.
 */
export function programOf(event: RuntimeEvent, fileName = (path: string) => path.slice(path.lastIndexOf('/') + 1)): string {
  const name = fileName(event.process?.path ?? event.process?.name ?? '');
  if (name !== 'busybox' && name !== 'toybox') return name;
  const argv = event.process?.argv;
  const called = argv?.[0] === undefined ? '' : fileName(argv[0]).replace(/^-/, '');
  if (called !== '' && called !== name) return called;
  const applet = argv?.[1];
  return applet !== undefined && !applet.startsWith('-') ? applet : name;
}

/**
 * `programOf` for the hot path: file names kept by path, as a container runs
 * few programs and every rule asks for one (interned, so the rules' sets
 * match a name by identity).
 */
export class ProgramNames {
  private readonly names = new Map<string, string>();
  private readonly fileName = (path: string): string => {
    let name = this.names.get(path);
    if (name === undefined) {
      if (this.names.size >= 4096) this.names.clear();
      name = intern(path.slice(path.lastIndexOf('/') + 1));
      this.names.set(path, name);
    }
    return name;
  };

  of(event: RuntimeEvent): string {
    return programOf(event, this.fileName);
  }
}

/** Whether an argument of the process contains `text` (no command line made). */
export function argvIncludes(event: RuntimeEvent, text: string): boolean {
  const argv = event.process?.argv;
  if (argv !== undefined) for (const arg of argv) if (arg.includes(text)) return true;
  return false;
}

/** The process's arguments as one line (`sh -c id`). */
export function commandLine(event: RuntimeEvent): string {
  return (event.process?.argv ?? []).join(' ');
}

export const SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'csh', 'tcsh', 'fish']);

/** Processes that start a container's programs: a shell under them is someone's `docker exec` or an entrypoint script, not a server's. */
export const LAUNCHERS: ReadonlySet<string> = new Set(['containerd-shim', 'containerd-shim-runc-v2', 'runc', 'docker-init', 'tini', 'dumb-init', 's6-supervise', 'supervisord']);
