import { DEFAULT_MAX_FILE_SIZE } from '../../intent/index.ts';
import type { Supermodel } from '../../model/index.ts';
import { joinSupermodels } from '../../supermodel/index.ts';
import { analyzePaths } from '../analysis.ts';
import { parseCommandLine, type Command } from '../command.ts';
import { readStore, tableOrJson } from '../data.ts';

const USAGE = `Usage: tenet supermodel [PATH…] [--data DIR] [--app NAME] [--format table|json]

The applications' graphs the defender of the data folder learned (Supermodels):
their workloads (compose project/service, Kubernetes namespace/workload, or
network/container), the edges between them with ports, counts and first and
last times, and their traffic outside (another application, the host, a
private address, the internet, with the DNS name asked). Each edge is learned
(while its client's model learned) or anomalous (outside the graph).

With PATH…, the manifests there are analysed as \`tenet analyze\` does and
their declared graphs joined: an edge both declared and observed is both, one
declared and never observed is declared — drift between manifest and reality,
both ways.`;

function lines(s: Supermodel): string[] {
  const out = [`Application ${s.app}: ${s.nodes.length} workloads, ${s.edges.length} edges${s.outside !== undefined ? `, ${s.outside.length} flows outside` : ''}`];
  for (const e of s.edges) {
    out.push(`  ${(e.state ?? '').padEnd(9)} ${e.from} → ${e.to} ${e.port}${e.targetPort !== e.port ? `→${e.targetPort}` : ''}/${e.protocol}`
      + `${e.count !== undefined ? `  ×${e.count}, last ${e.lastSeen}` : ''}`);
  }
  for (const o of s.outside ?? []) {
    out.push(`  outside   ${o.from} → ${o.node ?? o.name ?? o.address} (${o.class}${o.name !== undefined || o.node !== undefined ? `, ${o.address}` : ''}) ${o.port}/${o.protocol}  ×${o.count}`);
  }
  return out;
}

export const supermodelCommand: Command = {
  name: 'supermodel',
  summary: 'the applications\' graphs: learned edges joined to declared ones, anomalies, traffic outside',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      data: { type: 'string' }, app: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    }, USAGE);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const format = tableOrJson(values.format, 'table');
    const learned = await readStore(values.data, (store) => store.supermodels());
    const declared = positionals.length > 0 ? (await analyzePaths(positionals, { maxFileSize: DEFAULT_MAX_FILE_SIZE, verify: false })).supermodels : [];
    const all = joinSupermodels(learned, declared).filter((s) => values.app === undefined || s.app === values.app);
    if (format === 'json') io.stdout(`${JSON.stringify(all, null, 2)}\n`);
    else io.stdout(`${all.length === 0 ? 'no application graph yet: a defender learns them from the connections its containers make' : all.flatMap(lines).join('\n')}\n`);
    return 0;
  },
};
