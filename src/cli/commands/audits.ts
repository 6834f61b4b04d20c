import { parseCommandLine, type Command } from '../command.ts';
import { existingStore } from '../data.ts';
import { CliError } from '../errors.ts';

const USAGE = `Usage: tenet audits [--data DIR] [--format json|table] [--since TIME] [--limit N]

The audits the defender of the data folder reported, oldest first: drift and
deviations from the models, each with its rule, container, image, process,
the model entry it lacked and the event as evidence.`;

export const auditsCommand: Command = {
  name: 'audits',
  summary: 'drift and deviations the defender reported',
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
      const audits = store.audits({ limit, ...(values.since !== undefined && { since: new Date(values.since).toISOString() }) });
      if (format === 'json') io.stdout(`${JSON.stringify(audits, null, 2)}\n`);
      else for (const a of audits) io.stdout(`${a.time}  ${a.severity.padEnd(8)} ${a.rule.padEnd(22)} ${a.message}\n`);
      return 0;
    } finally {
      store.close();
    }
  },
};
