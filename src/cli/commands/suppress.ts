import { randomUUID } from 'node:crypto';
import { RULES } from '../../detect/index.ts';
import { SqliteStore } from '../../store/index.ts';
import { parseCommandLine, type Command } from '../command.ts';
import { dataDir, existingStore, parseDuration } from '../data.ts';
import { CliError } from '../errors.ts';

const USAGE = `Usage: tenet suppress add RULE --reason TEXT [--container NAME] [--image REF] [--for DURATION] [--data DIR]
       tenet suppress list [--data DIR] [--format table|json]
       tenet suppress remove ID [--data DIR]

Silences the audits of a rule (\`*\` for every rule; docs/rules.md lists them),
for one container or image or for all, with a reason, and until it expires
(--for 24h) or is removed. A running defender takes it up within a second;
\`tenet status\` counts what was suppressed.`;

export const suppressCommand: Command = {
  name: 'suppress',
  summary: 'silence a rule for a container or image, with a reason and an expiry',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      data: { type: 'string' }, reason: { type: 'string' }, container: { type: 'string' }, image: { type: 'string' }, for: { type: 'string' },
      format: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    }, USAGE);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const [action, target] = positionals;
    if (action === 'add') {
      if (target === undefined) throw new CliError('ERR_USAGE', `suppress add needs a RULE\n\n${USAGE}`);
      if (target !== '*' && !RULES.some((r) => r.id === target)) throw new CliError('ERR_BAD_OPTION_VALUE', `no rule ${target}; the rules are ${RULES.map((r) => r.id).join(', ')}`);
      if (values.reason === undefined || values.reason.trim() === '') throw new CliError('ERR_USAGE', 'a suppression needs a --reason: the next person to read it will want to know');
      const createdAt = new Date();
      const seconds = values.for === undefined ? undefined : parseDuration(values.for, '--for');
      const suppression = {
        id: randomUUID().slice(0, 8), rule: target, reason: values.reason.trim(), createdAt: createdAt.toISOString(),
        ...(values.container !== undefined && { container: values.container }),
        ...(values.image !== undefined && { image: values.image }),
        ...(seconds !== undefined && { expiresAt: new Date(createdAt.getTime() + seconds * 1000).toISOString() }),
      };
      const store = new SqliteStore(dataDir(values.data));
      try {
        await store.putSuppression(suppression);
      } finally {
        await store.close();
      }
      io.stdout(`suppression ${suppression.id}: ${target} for ${values.container ?? values.image ?? 'every container'}${suppression.expiresAt !== undefined ? ` until ${suppression.expiresAt}` : ''}\n`);
      return 0;
    }
    const store = existingStore(values.data);
    try {
      if (action === 'list') {
        const all = await store.suppressions();
        if (values.format === 'json') io.stdout(`${JSON.stringify(all, null, 2)}\n`);
        else for (const s of all) io.stdout(`${s.id}  ${s.rule.padEnd(24)} ${(s.container ?? s.image ?? '*').padEnd(24)} ${s.expiresAt ?? 'no expiry'}  ${s.reason}\n`);
        return 0;
      }
      if (action === 'remove') {
        if (target === undefined || !await store.removeSuppression(target)) throw new CliError('ERR_USAGE', `no suppression ${target ?? ''}; \`tenet suppress list\` shows them`);
        io.stdout(`removed ${target}\n`);
        return 0;
      }
      throw new CliError('ERR_USAGE', `suppress needs an action: add, list or remove\n\n${USAGE}`);
    } finally {
      await store.close();
    }
  },
};
