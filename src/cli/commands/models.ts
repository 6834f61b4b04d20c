import { userInfo } from 'node:os';
import { Proposal } from '../../model/index.ts';
import { parseCommandLine, type Command } from '../command.ts';
import { existingStore, parseDuration, tableOrJson } from '../data.ts';
import { CliError } from '../errors.ts';

const USAGE = `Usage: tenet models [--data DIR] [--format json|table] [--state STATE]
       tenet models relearn MODEL [--data DIR]
       tenet models extend MODEL DURATION [--data DIR]
       tenet models proposals [--data DIR] [--format json|table]
       tenet models accept|reject PROPOSAL [--data DIR]

Lists the models the defender of the data folder holds (IntentModels: every
entry with its sources, learned ones with first and last seen, count and
containers). \`relearn\` starts a model's learning again from its static
model; \`extend\` learns for DURATION more (an active model goes back to
learning). \`proposals\` lists the amendments the defender proposes: a
deviation every running replica of an active model made with no other signal
(no known-bad rule, threat intelligence or incident), with its evidence;
\`accept\` takes one into its model, \`reject\` keeps it out for good
(\`tenet defender --heal DIMENSIONS:N\` accepts chosen dimensions by itself
after N audits). A running defender takes each up within a second.`;

export const modelsCommand: Command = {
  name: 'models',
  summary: 'the defender\'s models; relearn or extend learning',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      data: { type: 'string' }, format: { type: 'string' }, state: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    }, USAGE);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const [action, id, duration] = positionals;
    const store = existingStore(values.data);
    try {
      if (action === 'relearn' || action === 'extend') {
        if (id === undefined) throw new CliError('ERR_USAGE', `models ${action} needs a MODEL\n\n${USAGE}`);
        const model = (await store.models()).find((m) => m.id === id) ?? (await store.models()).find((m) => m.id.includes(id));
        if (model === undefined) throw new CliError('ERR_NO_MODEL', `no model ${id}; \`tenet models --format table\` lists them`);
        if (action === 'extend') {
          if (duration === undefined) throw new CliError('ERR_USAGE', `models extend needs a DURATION\n\n${USAGE}`);
          await store.enqueueCommand({ action, model: model.id, seconds: parseDuration(duration, 'DURATION') });
        } else {
          await store.enqueueCommand({ action, model: model.id });
        }
        io.stdout(`${action} of ${model.id} asked; the defender takes it up within a second\n`);
        return 0;
      }
      if (action === 'proposals' || action === 'accept' || action === 'reject') {
        const proposals = ((await store.status('proposals'))?.value as unknown[] | undefined ?? []).flatMap((p) => {
          const parsed = Proposal.safeParse(p);
          return parsed.success ? [parsed.data] : [];
        });
        if (action === 'proposals') {
          if (tableOrJson(values.format, 'table') === 'json') io.stdout(`${JSON.stringify(proposals, null, 2)}\n`);
          else if (proposals.length === 0) io.stdout('No proposals: no deviation of an active model was made by all its replicas with nothing else said of it.\n');
          else for (const p of proposals) io.stdout(`${p.id}  ${p.state.padEnd(8)} ${p.model.slice(0, 19)}  ${p.dimension}: ${p.entry}${p.parent !== undefined ? ` (from ${p.parent})` : ''}\n  ${p.why}\n`);
          return 0;
        }
        if (id === undefined) throw new CliError('ERR_USAGE', `models ${action} needs a PROPOSAL\n\n${USAGE}`);
        const proposal = proposals.find((p) => p.id === id) ?? proposals.find((p) => p.id.startsWith(id));
        if (proposal === undefined) throw new CliError('ERR_NO_PROPOSAL', `no proposal ${id}; \`tenet models proposals\` lists them`);
        if (proposal.state !== 'open') throw new CliError('ERR_NO_PROPOSAL', `proposal ${proposal.id} is ${proposal.state} already`);
        await store.enqueueCommand({ action: action === 'accept' ? 'accept-proposal' : 'reject-proposal', model: proposal.model, proposal: proposal.id, by: `${userInfo().username} (cli)` });
        io.stdout(`${action} of proposal ${proposal.id} (${proposal.dimension}: ${proposal.entry}) asked; the defender takes it up within a second\n`);
        return 0;
      }
      if (action !== undefined) throw new CliError('ERR_USAGE', `unknown models action "${action}"\n\n${USAGE}`);
      const format = tableOrJson(values.format, 'json');
      const models = (await store.models()).filter((m) => values.state === undefined || m.state === values.state);
      if (format === 'json') {
        io.stdout(`${JSON.stringify(models, null, 2)}\n`);
      } else {
        for (const m of models) {
          io.stdout(`${m.id}  ${m.state}${m.state === 'learning' ? ` (${m.remainingLearningDurationSec ?? 0} s left)` : ''}  ${m.image ?? ''}\n`
            + `  processes ${m.processes.length}, listen ${m.network.listen.length}, egress ${m.network.egress.length}, dns ${m.network.dns.length}, `
            + `writable ${m.filesystem.writable.length}, syscalls ${m.syscalls.allow.length}, capabilities ${m.capabilities.used?.length ?? 0}\n`
            + (m.learning?.completeness === undefined ? '' : `  safe to enforce: ${Object.entries(m.learning.completeness).map(([d, v]) => `${d} ${v}`).join(', ')}\n`));
        }
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
