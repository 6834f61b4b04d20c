/** Where a command writes; tests run the real binary, so this is only the process streams. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTty: boolean;
}

/** One CLI command: a file in commands/, listed in commands/index.ts. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Resolves to the exit code. */
  run(args: string[], io: Io): Promise<number> | number;
}
