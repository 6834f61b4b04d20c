import { parseCommandLine, type Command } from '../command.ts';
import { existingStore, pageOf, tableOrJson } from '../data.ts';

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
    const format = tableOrJson(values.format, 'json');
    const page = pageOf(values);
    const store = existingStore(values.data);
    try {
      const audits = store.audits(page);
      if (format === 'json') io.stdout(`${JSON.stringify(audits, null, 2)}\n`);
      else for (const a of audits) io.stdout(`${a.time}  ${a.severity.padEnd(8)} ${a.rule.padEnd(22)} ${a.message}\n`);
      return 0;
    } finally {
      store.close();
    }
  },
};
