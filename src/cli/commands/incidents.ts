import { recordsCommand } from '../data.ts';

const USAGE = `Usage: tenet incidents [--data DIR] [--format json|table] [--since TIME] [--limit N]

The incidents the defender of the data folder built from its audits, oldest
first: each one attack chain on one container — audits linked by the process
tree, the peer or name, a file written then run — that tells an attack pattern
(reverse shell, crypto mining, port scan, credentials sent out …;
docs/incidents.md lists them), with its ATT&CK techniques and its timeline,
where the audits of one rule by one program on one peer, folder or name are
one line with their count and distinct values.`;

export const incidentsCommand = recordsCommand({
  name: 'incidents',
  summary: 'audits correlated into attack stories',
  usage: USAGE,
  read: (store, page) => store.incidents(page),
  lines: (i) => [
    `${i.firstSeen}  ${i.severity.padEnd(8)} ${i.title} in ${i.container.name ?? i.container.id.slice(0, 12)}${i.container.image !== undefined ? ` (${i.container.image})` : ''}: ${i.count} audits`
      + `${i.techniques !== undefined ? `; ${i.techniques.map((t) => `${t.id} ${t.name}`).join(', ')}` : ''}`,
    ...i.timeline.map((t) => `    ${t.time}  ${t.rule}${t.count > 1 ? ` ×${t.count}` : ''}: ${t.message}${t.summary !== undefined ? ` (${t.summary})` : ''}`),
  ],
});
