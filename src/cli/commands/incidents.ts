import { recordsCommand } from '../data.ts';

const USAGE = `Usage: tenet incidents [--data DIR] [--format json|table] [--since TIME] [--limit N]

The incidents the defender of the data folder built from its audits, oldest
first: the audits of one container within ten minutes of each other that tell
an attack pattern (reverse shell, crypto mining, exploit to execution,
credentials sent out …; docs/incidents.md lists them), each with its
timeline, identical audits counted once.`;

export const incidentsCommand = recordsCommand({
  name: 'incidents',
  summary: 'audits correlated into attack stories',
  usage: USAGE,
  read: (store, page) => store.incidents(page),
  lines: (i) => [
    `${i.firstSeen}  ${i.severity.padEnd(8)} ${i.title} in ${i.container.name ?? i.container.id.slice(0, 12)} (${i.count} audits)`,
    ...i.timeline.map((t) => `    ${t.time}  ${t.rule}${t.count > 1 ? ` ×${t.count}` : ''}: ${t.message}`),
  ],
});
