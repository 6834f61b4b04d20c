import { stringify } from 'yaml';
import { kubernetesName, nftablesRuleset, profileAllows, seccompProfile, spoSeccompProfile } from '../../enforce/index.ts';
import { DEFAULT_MAX_FILE_SIZE } from '../../intent/index.ts';
import type { IntentModel } from '../../model/index.ts';
import { analyzePaths } from '../analysis.ts';
import { parseCommandLine, writeResult, type Command } from '../command.ts';
import { existingStore } from '../data.ts';
import { CliError } from '../errors.ts';

const KINDS = {
  seccomp: 'Docker/OCI seccomp profile (JSON): docker run --security-opt seccomp=FILE',
  seccompprofile: 'Security Profiles Operator SeccompProfile resource (YAML), one per model',
  nftables: 'nftables table for a container\'s network namespace: nsenter -t PID -n nft -f FILE',
} as const;
/** The kinds made from a model's syscalls (the others from any model). */
const FROM_SYSCALLS: ReadonlySet<Kind> = new Set(['seccomp', 'seccompprofile']);
type Kind = keyof typeof KINDS;

const USAGE = `Usage: tenet generate KIND PATH… [options]
       tenet generate KIND --data DIR [options]

Prints an artifact made from the models of PATH… (analysed as \`tenet analyze\`
does), or from the models a defender learned (--data). Kinds:
${Object.entries(KINDS).map(([k, d]) => `  ${k.padEnd(16)} ${d}`).join('\n')}

A seccomp profile comes from an app's code (a folder with a package.json, and
its Dockerfile when there is one): every syscall outside it fails with EPERM,
and the process lives on. Code Tenet cannot read (native addons, modules named
at run time) widens the profile and is reported on standard error.

Options:
  --data DIR          the defender's data folder: its models, learned from what the containers did
  --model ID          the model to use when the input gives several (its id, or a part of it)
  --namespace NS      namespace of the SeccompProfile resources
  --node VERSION      Node.js version the app runs on (default: the Dockerfile's FROM node:N, else the newest known)
  -o, --output FILE   write the artifact to FILE instead of standard output`;

function modelName(model: IntentModel): string {
  return model.workload?.name !== undefined && model.workload.kind !== 'Dockerfile' ? model.workload.name : model.id;
}

export const generateCommand: Command = {
  name: 'generate',
  summary: 'artifacts from the models: seccomp profiles, nftables',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      model: { type: 'string' },
      data: { type: 'string' },
      namespace: { type: 'string' },
      node: { type: 'string' },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    }, USAGE);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const [kind, ...paths] = positionals;
    if (kind === undefined || (paths.length === 0) === (values.data === undefined)) {
      throw new CliError('ERR_USAGE', `generate needs a KIND and either PATH… or --data DIR\n\n${USAGE}`);
    }
    if (!Object.hasOwn(KINDS, kind)) throw new CliError('ERR_BAD_OPTION_VALUE', `KIND must be one of ${Object.keys(KINDS).join(', ')}, not "${kind}"`);

    const analysis = values.data !== undefined
      ? { models: storedModels(values.data), findings: [] }
      : await analyzePaths(paths, { maxFileSize: DEFAULT_MAX_FILE_SIZE, verify: false, ...(values.node !== undefined && { node: values.node }) });
    const from = values.data ?? paths.join(', ');
    const syscalls = FROM_SYSCALLS.has(kind as Kind);
    let models = syscalls ? analysis.models.filter((m) => m.syscalls.allow.length > 0) : analysis.models;
    if (values.model !== undefined) models = models.filter((m) => m.id === values.model || m.id.includes(values.model!) || modelName(m) === values.model || m.image === values.model);
    if (models.length === 0) {
      throw new CliError('ERR_NO_MODEL', syscalls
        ? `no model with syscalls in ${from}${values.model !== undefined ? ` named ${values.model}` : ''}: give a folder holding a Node.js app (package.json), or the data folder of a defender that learned them`
        : `no model in ${from}${values.model !== undefined ? ` named ${values.model}` : ''}`);
    }
    if ((kind === 'seccomp' || kind === 'nftables') && models.length > 1) {
      throw new CliError('ERR_AMBIGUOUS', `${models.length} models${syscalls ? ' have syscalls' : ''}; choose one with --model: ${models.map((m) => m.id).join(', ')}`);
    }
    // What the profile could not see is said, never hidden.
    for (const f of analysis.findings) io.stderr(`${f.severity} ${f.code} ${f.location.file}:${f.location.line} ${f.message}\n`);

    const artifact = render(kind as Kind, models, values.namespace);
    writeResult(artifact, values.output, io);
    return 0;
  },
};

/** The models a defender keeps in its data folder (archived ones left out). */
function storedModels(data: string): IntentModel[] {
  const store = existingStore(data);
  try {
    return store.models().filter((m) => m.state !== 'archived');
  } finally {
    store.close();
  }
}

function render(kind: Kind, models: readonly IntentModel[], namespace: string | undefined): string {
  if (kind === 'nftables') return nftablesRuleset(models[0]!).text;
  if (kind === 'seccomp') return `${JSON.stringify(seccompProfile(models[0]!.syscalls.allow), null, 2)}\n`;
  return models.map((model) => {
    const profile = seccompProfile(model.syscalls.allow);
    const resource = spoSeccompProfile(profile, {
      name: kubernetesName(modelName(model)),
      ...(namespace !== undefined && { namespace }),
      annotations: { description: `Generated by Tenet from the model ${model.id}: ${profileAllows(profile).length} syscalls allowed, everything else fails with EPERM.` },
    });
    return `---\n${stringify(resource)}`;
  }).join('');
}
