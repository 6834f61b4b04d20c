import { parseCommandLine, type Command } from '../command.ts';
import { existingStore, parseDuration, tableOrJson } from '../data.ts';
import { CliError } from '../errors.ts';

const USAGE = `Usage: tenet models [--data DIR] [--format json|table] [--state STATE]
       tenet models relearn MODEL [--data DIR]
       tenet models extend MODEL DURATION [--data DIR]

Lists the models the defender of the data folder holds (IntentModels: every
entry with its sources, learned ones with first and last seen, count and
containers). \`relearn\` starts a model's learning again from its static
model; \`extend\` learns for DURATION more (an active model goes back to
learning). A running defender takes both up within a second.`;

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
