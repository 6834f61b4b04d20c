import type { Command, Io } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { CliError } from './errors.ts';
import { BUSY_TIMEOUT_MS, isStoreBusy } from '../store/index.ts';
import { VERSION } from './version.ts';

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `Tenet ${VERSION}: intent-based container security`,
    '',
    'Usage: tenet COMMAND [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `tenet COMMAND --help` for the options of one command.',
    '',
  ].join('\n');
}

/** Runs the CLI and resolves to the exit code; errors are reported here, once. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  try {
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      io.stdout(help());
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === 'version') {
      io.stdout(`${VERSION}\n`);
      return 0;
    }
    const command: Command | undefined = COMMANDS.find((c) => c.name === name);
    if (!command) throw new CliError('ERR_UNKNOWN_COMMAND', `unknown command "${name}"; run \`tenet help\``);
    return await command.run(args, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr(`tenet: ${e.code}: ${e.message}\n`);
      return 2;
    }
    if (isStoreBusy(e)) {
      io.stderr(`tenet: ERR_STORE: the store stayed locked by another process for ${BUSY_TIMEOUT_MS / 1000} s; try again\n`);
      return 2;
    }
    io.stderr(`tenet: ERR_INTERNAL: ${(e as Error).stack ?? String(e)}\n`);
    return 2;
  }
}

const io: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: process.stdout.isTTY === true,
};

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2), io);
}

export { io as processIo };
