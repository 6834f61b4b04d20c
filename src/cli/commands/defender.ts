import { Defender, INGEST_FORMATS, parseIngest } from '../../defender/index.ts';
import { EngineError } from '../../runtime/index.ts';
import { SqliteStore } from '../../store/index.ts';
import { parseCommandLine, type Command } from '../command.ts';
import { dataDir, parseDuration } from '../data.ts';
import { CliError } from '../errors.ts';

const USAGE = `Usage: tenet defender [options]

Runs the defender on this host until stopped (Ctrl-C, SIGTERM): follows the
Docker engine's containers, runs the bpftrace sensor on their cgroups (as
root), learns one model per image and reports drift and deviations. Models,
events, audits and status go to the store in the data folder, which
\`tenet status\`, \`tenet models\` and \`tenet audits\` read while it runs.
Each audit is also printed on standard output as one JSON line.

Options:
  --learn-for DURATION  learning window of new models, in time a container of
                        the model runs (30s, 15m, 1h; default 1h)
  --data DIR            data folder (default $TENET_DATA, /var/lib/tenet as root, else ~/.tenet)
  --no-sensor           do not start bpftrace (containers and models only)
  --syscalls MODE       when to watch each container's syscalls: \`learning\` (default:
                        while a model learns, then a 15 s sample every 10 min) or
                        \`always\` (a probe on every syscall of the host: the
                        sensor's largest cost, see bench/sensor-overhead)
  --no-images           do not read images (models start empty, no drift by inventory)
  --ingest FORMAT:FILE  also read another tool's JSON output as events: falco, tetragon
                        or tracee; FILE is followed as it grows (\`-\` for standard
                        input); may be given several times
  --quiet               no log lines on standard error`;

export const defenderCommand: Command = {
  name: 'defender',
  summary: 'the defender on this host: sensor, learning, drift and deviations',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandLine(args, {
      'learn-for': { type: 'string' },
      data: { type: 'string' },
      'no-sensor': { type: 'boolean' },
      syscalls: { type: 'string' },
      'no-images': { type: 'boolean' },
      ingest: { type: 'string', multiple: true },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    }, USAGE);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const learnForSec = parseDuration(values['learn-for'] ?? '1h', '--learn-for');
    const syscalls = values.syscalls ?? 'learning';
    if (syscalls !== 'learning' && syscalls !== 'always') throw new CliError('ERR_BAD_OPTION_VALUE', `--syscalls must be learning or always, not "${syscalls}"`);
    const ingest = (values.ingest ?? []).map((spec) => {
      const parsed = parseIngest(spec);
      if (parsed === undefined) throw new CliError('ERR_BAD_OPTION_VALUE', `--ingest must be FORMAT:FILE with FORMAT one of ${Object.keys(INGEST_FORMATS).join(', ')}, not "${spec}"`);
      return parsed;
    });
    const dir = dataDir(values.data);
    const store = new SqliteStore(dir);
    const log = (line: string) => {
      if (!values.quiet) io.stderr(`${new Date().toISOString()} ${line}\n`);
    };
    const defender = new Defender({
      store,
      learnForSec,
      sensor: values['no-sensor'] !== true,
      analyseImages: values['no-images'] !== true,
      ...(syscalls === 'learning' && { syscallSample: { windowMs: 15_000, periodMs: 600_000 } }),
      onLog: log,
      ingest,
      onAudit: (audit) => io.stdout(`${JSON.stringify(audit)}\n`),
    });
    try {
      await defender.start();
    } catch (e) {
      store.close();
      if (e instanceof EngineError) throw new CliError('ERR_ENGINE', e.message);
      throw e;
    }
    log(`defender running: data ${dir}, learning window ${learnForSec} s`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    log('stopping');
    await defender.stop();
    store.close();
    return 0;
  },
};
