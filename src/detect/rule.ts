import type { ModelDimension, RuntimeEvent, RuntimeEventKind, Severity } from '../model/index.ts';

/** What a rule knows of an event besides the event: where its process comes from, and whether the model knows it. */
export interface RuleContext {
  /** Names of the process's ancestors inside the container, nearest first. */
  ancestors: readonly string[];
  /** Whether the container's model allows the program the event's process runs (asked only when a rule needs it). */
  knownProcess: () => boolean;
}

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
  /** A known-bad rule's check: the evidence, in a sentence, when the event is what it looks for. */
  detect?: (event: RuntimeEvent, context: RuleContext) => string | undefined;
}

/**
 * The program a process runs, by name: `/usr/bin/bash` → `bash`. A multi-call
 * binary (busybox, toybox) run by its own name runs the applet its first
 * argument names: `busybox nc …` is nc. Every rule asks it of the same event
 * in turn, so the last answer is kept.
 */
export function programOf(event: RuntimeEvent): string {
  if (event === lastEvent) return lastProgram;
  const path = event.process?.path ?? event.process?.name ?? '';
  const name = path.slice(path.lastIndexOf('/') + 1);
  const applet = event.process?.argv?.[1];
  lastProgram = (name === 'busybox' || name === 'toybox') && applet !== undefined && !applet.startsWith('-') ? applet : name;
  lastEvent = event;
  return lastProgram;
}
let lastEvent: RuntimeEvent | undefined;
let lastProgram = '';

/** The process's arguments as one line (`sh -c id`), kept like programOf's answer. */
export function commandLine(event: RuntimeEvent): string {
  if (event === lineEvent) return lastLine;
  lastLine = (event.process?.argv ?? []).join(' ');
  lineEvent = event;
  return lastLine;
}
let lineEvent: RuntimeEvent | undefined;
let lastLine = '';

export const SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'csh', 'tcsh', 'fish']);

/** Processes that start a container's programs: a shell under them is someone's `docker exec` or an entrypoint script, not a server's. */
export const LAUNCHERS: ReadonlySet<string> = new Set(['containerd-shim', 'containerd-shim-runc-v2', 'runc', 'docker-init', 'tini', 'dumb-init', 's6-supervise', 'supervisord']);
