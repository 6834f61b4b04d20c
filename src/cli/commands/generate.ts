import { ARTIFACTS as KINDS, modelName } from '../../enforce/index.ts';
import { DEFAULT_MAX_FILE_SIZE } from '../../intent/index.ts';
import { analyzePaths } from '../analysis.ts';
import { parseCommandLine, writeResult, type Command } from '../command.ts';
import { readStore } from '../data.ts';
import { CliError } from '../errors.ts';
import { explainSyscalls } from '../output/explain.ts';

const USAGE = `Usage: tenet generate KIND PATH… [options]
       tenet generate KIND --data DIR [options]

Prints an artifact made from the models of PATH… (analysed as \`tenet analyze\`
does), or from the models a defender learned (--data). What an artifact cannot
say is written on standard error. Kinds:
${Object.entries(KINDS).map(([k, d]) => `  ${k.padEnd(20)} ${d.description}`).join('\n')}

A seccomp profile comes from an app's code (a folder with a package.json, and
its Dockerfile when there is one) or from what a defender saw: every syscall
outside it fails with EPERM, and the process lives on. Code Tenet cannot read
(native addons, modules named at run time) widens the profile and is reported
on standard error.

Options:
  --data DIR          the defender's data folder: its models, learned from what the containers did
  --model ID          the model to use when the input gives several (its id, or a part of it)
  --namespace NS      namespace of the SeccompProfile resources
  --partial           a seccomp profile even from a model that never saw a container start (its start-up calls missing)
  --node VERSION      Node.js version the app runs on (default: the Dockerfile's FROM node:N, else the newest known)
  --explain           say on standard error why each syscall is allowed: Node.js itself, the API and line
                      of the code that needs it, or the widening (and what each widening alone adds)
  -o, --output FILE   write the artifact to FILE instead of standard output`;

export const generateCommand: Command = {
  name: 'generate',
  summary: 'artifacts from the models: seccomp, network policies, Tetragon, KubeArmor, Falco, AppArmor, hardening patches',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      model: { type: 'string' },
      data: { type: 'string' },
      partial: { type: 'boolean' },
      namespace: { type: 'string' },
      node: { type: 'string' },
      explain: { type: 'boolean' },
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
    const chosen = KINDS[kind]!;

    const analysis = values.data !== undefined
      // the models a defender keeps (archived ones left out)
      ? { models: (await readStore(values.data, (store) => store.models())).filter((m) => m.state !== 'archived'), supermodels: [], findings: [] }
      : await analyzePaths(paths, { maxFileSize: DEFAULT_MAX_FILE_SIZE, verify: false, ...(values.node !== undefined && { node: values.node }) });
    const from = values.data ?? paths.join(', ');
    const named = values.model !== undefined ? ` named ${values.model}` : '';
    let models = chosen.syscalls === true ? analysis.models.filter((m) => m.syscalls.allow.length > 0) : analysis.models;
    if (values.model !== undefined) models = models.filter((m) => m.id === values.model || m.id.includes(values.model!) || modelName(m) === values.model || m.image === values.model);
    if (models.length === 0) {
      throw new CliError('ERR_NO_MODEL', chosen.syscalls === true
        ? `no model with syscalls in ${from}${named}: give a folder holding a Node.js app (package.json), or the data folder of a defender that learned them`
        : `no model in ${from}${named}`);
    }
    if (chosen.one === true && models.length > 1) {
      throw new CliError('ERR_AMBIGUOUS', `${models.length} models${chosen.syscalls === true ? ' have syscalls' : ''}; choose one with --model: ${models.map((m) => m.id).join(', ')}`);
    }
    // a profile learned without a start-up would fail the next start: said, and refused unless asked for
    const unstarted = chosen.syscalls === true ? models.filter((m) => m.learning !== undefined && (m.learning.starts ?? 0) === 0) : [];
    if (unstarted.length > 0 && values.partial !== true) {
      throw new CliError('ERR_INCOMPLETE', `${unstarted.map((m) => m.id).join(', ')} never saw a container start with the syscall sensor on, so its profile lacks the start-up calls `
        + 'and the next start would fail: start (or restart) one of its containers while it learns (tenet models relearn MODEL), or give --partial for the profile as it is');
    }
    if (chosen.graph === true && analysis.supermodels.length === 0) {
      throw new CliError('ERR_NO_MODEL', `${kind} is made from an application's graph: give its manifests (Kubernetes, compose, Marathon), not ${from}`);
    }
    // What the artifact could not see or say is said, never hidden.
    for (const f of analysis.findings) io.stderr(`${f.severity} ${f.code} ${f.location.file}:${f.location.line} ${f.message}\n`);
    if (values.explain === true) {
      if (chosen.syscalls !== true) throw new CliError('ERR_USAGE', `--explain is for the syscall profiles (seccomp, seccompprofile), not ${kind}`);
      const reports = 'apps' in analysis ? analysis.apps ?? [] : [];
      for (const m of models) io.stderr(explainSyscalls(m, reports.find((r) => r.model === m.id)));
    }
    const rendered = chosen.render({ models, supermodels: analysis.supermodels, namespace: values.namespace });
    for (const note of rendered.notes) io.stderr(`note ${note}\n`);
    writeResult(rendered.text, values.output, io);
    return 0;
  },
};
