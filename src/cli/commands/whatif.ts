import { readFileSync, statSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { allowedFlows, type NetworkPolicy, type PolicyPod } from '../../enforce/index.ts';
import { DEFAULT_MAX_FILE_SIZE } from '../../intent/index.ts';
import type { SupermodelEdge } from '../../model/index.ts';
import { whatIf } from '../../detect/index.ts';
import { proposedGraph } from '../../supermodel/index.ts';
import { analyzePaths } from '../analysis.ts';
import { parseCommandLine, type Command } from '../command.ts';
import { readStore, tableOrJson } from '../data.ts';
import { CliError } from '../errors.ts';

const USAGE = `Usage: tenet whatif PATH… [--policies FILE…] [--data DIR] [--app NAME] [--format table|json]

What a proposed graph would have blocked of the traffic a defender saw: each
edge of the applications' learned graphs (connections seen, with their count
and last time) that the proposal does not allow. The proposal is the graph
declared by the manifests of PATH… (\`tenet analyze\` reads them), or, with
--policies, the Kubernetes NetworkPolicies of those files (\`tenet generate
networkpolicy\` prints them), applied to the workloads PATH… declare.`;

/** The NetworkPolicies of YAML files. */
function readPolicies(files: readonly string[]): NetworkPolicy[] {
  return files.flatMap((file) => {
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) throw new CliError('ERR_PATH_NOT_FOUND', `${file}: no such file`);
    return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as { kind?: string } | null).filter((d): d is NetworkPolicy => d?.kind === 'NetworkPolicy');
  });
}

export const whatifCommand: Command = {
  name: 'whatif',
  summary: 'what a proposed graph or set of NetworkPolicies would have blocked of the traffic seen',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      policies: { type: 'string', multiple: true }, data: { type: 'string' }, app: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    }, USAGE);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length === 0) throw new CliError('ERR_USAGE', `whatif needs the PATH… of a proposal\n\n${USAGE}`);
    const format = tableOrJson(values.format, 'table');
    const learned = (await readStore(values.data, (store) => store.supermodels())).filter((s) => values.app === undefined || s.app === values.app);
    const analysis = await analyzePaths(positionals, { maxFileSize: DEFAULT_MAX_FILE_SIZE, verify: false });
    let allows = proposedGraph(analysis.supermodels);
    if (values.policies !== undefined) {
      const policies = readPolicies(values.policies);
      const pods = new Map<string, PolicyPod>();
      for (const m of analysis.models) {
        const w = m.workload;
        if (w?.labels !== undefined && w.namespace !== undefined) pods.set(`${w.namespace}/${w.name}`, { id: `${w.namespace}/${w.name}`, namespace: w.namespace, labels: w.labels });
      }
      allows = (_app: string, edge: SupermodelEdge) => {
        const from = pods.get(edge.from);
        const to = pods.get(edge.to);
        return from !== undefined && to !== undefined && allowedFlows(policies, [from, to], [{ port: edge.targetPort, protocol: edge.protocol.toUpperCase() as 'TCP' }]).length > 0;
      };
    }
    const blocked = whatIf(learned, allows);
    if (format === 'json') {
      io.stdout(`${JSON.stringify(blocked, null, 2)}\n`);
      return 0;
    }
    const seen = learned.reduce((n, s) => n + s.edges.filter((e) => e.count !== undefined).length, 0);
    io.stdout(`${blocked.length} of ${seen} edges seen would have been blocked${blocked.length > 0 ? ':' : ''}\n`);
    for (const { app, edge } of blocked) io.stdout(`  ${app}: ${edge.from} → ${edge.to} ${edge.targetPort}/${edge.protocol}  ×${edge.count}, last ${edge.lastSeen}\n`);
    return 0;
  },
};
