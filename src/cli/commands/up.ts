import { fileURLToPath } from 'node:url';
import { localDefender, StepError } from '../../defender/index.ts';
import { DEFAULT_MAX_FILE_SIZE } from '../../intent/index.ts';
import { EngineError } from '../../runtime/index.ts';
import { SqliteStore } from '../../store/index.ts';
import { analyzePaths } from '../analysis.ts';
import { parseCommandLine, type Command } from '../command.ts';
import { dataDir, parseDuration } from '../data.ts';
import { CONSOLE_OPTIONS, startConsole, untilStopped } from './console.ts';

/** The example the project carries: a shop's Dockerfile, Kubernetes and compose files. */
const EXAMPLE = fileURLToPath(new URL('../../../examples/shop', import.meta.url));

const USAGE = `Usage: tenet up [options]

Runs everything on this machine until stopped (Ctrl-C, SIGTERM): the console
(REST API over TLS) on the SQLite store of the data folder, and a defender on
the local Docker engine that learns, detects and enforces into that store
(with the bpftrace sensor when run as root). Prints the console's URL and the
admin's password (generated on first start, or $TENET_ADMIN_PASSWORD).

Options:
  --port N             console port (default 8443; 0: any free port)
  --host ADDRESS       address to listen on (default 127.0.0.1)
  --data DIR           data folder (default $TENET_DATA, /var/lib/tenet as root, else ~/.tenet)
  --learn-for DURATION the longest new models learn (default 1h; sooner once converged)
  --no-sensor          no bpftrace sensor
  --example            also put the models and the application graph of the bundled
                       example shop (examples/shop) in the store, to look around
  --tls-cert FILE, --tls-key FILE, --no-tls   as for \`tenet console\``;

export const upCommand: Command = {
  name: 'up',
  summary: 'everything on one machine: the console and a defender on the local Docker engine',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandLine(args, { ...CONSOLE_OPTIONS, 'learn-for': { type: 'string' }, 'no-sensor': { type: 'boolean' }, example: { type: 'boolean' } }, USAGE);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const learnForSec = parseDuration(values['learn-for'] ?? '1h', '--learn-for');
    const dir = dataDir(values.data);
    const local = new SqliteStore(dir);
    const store = local;
    const log = (line: string) => io.stderr(`${new Date().toISOString()} ${line}\n`);
    try {
      if (values.example === true) {
        const example = await analyzePaths([EXAMPLE], { maxFileSize: DEFAULT_MAX_FILE_SIZE, verify: false });
        await store.putModels(example.models);
        await store.putSupermodels(example.supermodels);
        io.stdout(`Example: ${example.models.length} models and ${example.supermodels.length} application graph${example.supermodels.length === 1 ? '' : 's'} of examples/shop stored\n`);
      }
      const running = await startConsole(values, store, io);
      const defender = localDefender({
        store: local, learnForSec, sensor: values['no-sensor'] !== true && process.getuid?.() === 0, analyseImages: true,
        syscallSample: { windowMs: 15_000, periodMs: 600_000 }, onLog: log, ingest: [],
      });
      let defending = false;
      try {
        await defender.start();
        defending = true;
        io.stdout(`  defender: on the local Docker engine, data ${dir}\n`);
      } catch (e) {
        const cause = e instanceof StepError ? e.cause : e;
        if (!(cause instanceof EngineError)) throw e;
        io.stdout(`  defender: not running: ${cause.message} (the console serves what is stored; start the engine, then \`tenet up\` again)\n`);
      }
      await untilStopped();
      log('stopping');
      if (defending) await defender.stop();
      await running.close();
    } finally {
      await local.close();
    }
    return 0;
  },
};
