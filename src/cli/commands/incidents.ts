import { parseCommandLine, type Command } from '../command.ts';
import { existingStore, pageOf, tableOrJson } from '../data.ts';

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
    const format = tableOrJson(values.format, 'json');
    const page = pageOf(values);
    const store = existingStore(values.data);
    try {
      const incidents = store.incidents(page);
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
