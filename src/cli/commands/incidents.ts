import { parseCommandLine, type Command } from '../command.ts';
import { existingStore } from '../data.ts';
import { CliError } from '../errors.ts';

const USAGE = `Usage: tenet incidents [--data DIR] [--format json|table] [--since TIME] [--limit N]

The incidents the defender of the data folder built from its audits, oldest
first: the audits of one container within ten minutes of each other that tell
an attack pattern (reverse shell, crypto mining, exploit to execution,
credentials sent out …; docs/incidents.md lists them), each with its
timeline, identical audits counted once.`;

export const incidentsCommand: Command = {
  name: 'incidents',
  summary: 'audits correlated into attack stories',
  usage: USAGE,
  run(args, io) {
    const { values } = parseCommandLine(args, {
      data: { type: 'string' }, format: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    }, USAGE);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const format = values.format ?? 'json';
    if (format !== 'table' && format !== 'json') throw new CliError('ERR_BAD_OPTION_VALUE', `--format must be json or table, not "${format}"`);
    const limit = values.limit === undefined ? 1000 : Number(values.limit);
    if (!Number.isInteger(limit) || limit <= 0) throw new CliError('ERR_BAD_OPTION_VALUE', `--limit must be a positive integer, not "${values.limit}"`);
    if (values.since !== undefined && Number.isNaN(Date.parse(values.since))) throw new CliError('ERR_BAD_OPTION_VALUE', `--since must be an ISO time, not "${values.since}"`);
    const store = existingStore(values.data);
    try {
      const incidents = store.incidents({ limit, ...(values.since !== undefined && { since: new Date(values.since).toISOString() }) });
      if (format === 'json') {
        io.stdout(`${JSON.stringify(incidents, null, 2)}\n`);
        return 0;
      }
      for (const i of incidents) {
        io.stdout(`${i.firstSeen}  ${i.severity.padEnd(8)} ${i.title} in ${i.container.name ?? i.container.id.slice(0, 12)} (${i.count} audits)\n`);
        for (const t of i.timeline) io.stdout(`    ${t.time}  ${t.rule}${t.count > 1 ? ` ×${t.count}` : ''}: ${t.message}\n`);
      }
      return 0;
    } finally {
      store.close();
    }
  },
};
