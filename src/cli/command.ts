import { writeFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './errors.ts';

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

type Options = NonNullable<ParseArgsConfig['options']>;

/** A command's options and positionals; what parseArgs refuses is a usage error that shows the usage. */
export function parseCommandLine<T extends Options>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, allowPositionals: true, options });
  } catch (e) {
    throw new CliError('ERR_USAGE', `${(e as Error).message}\n\n${usage}`);
  }
}

/** A command's result to the file of `--output`, else to standard output. */
export function writeResult(text: string, output: string | undefined, io: Io): void {
  if (output !== undefined) writeFileSync(output, text);
  else io.stdout(text);
}
