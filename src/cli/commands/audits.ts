import { recordsCommand } from '../data.ts';

const USAGE = `Usage: tenet audits [--data DIR] [--format json|table] [--since TIME] [--limit N]

The audits the defender of the data folder reported, oldest first: drift and
deviations from the models, each with its rule, container, image, process,
the model entry it lacked and the event as evidence.`;

export const auditsCommand = recordsCommand({
  name: 'audits',
  summary: 'drift and deviations the defender reported',
  usage: USAGE,
  read: (store, page) => store.audits(page),
  lines: (a) => [`${a.time}  ${a.severity.padEnd(8)} ${a.rule.padEnd(22)} ${a.message}`],
});
