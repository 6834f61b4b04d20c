import { Mode, ModelDimension, type ModeScope, type ModeSetting } from '../../model/index.ts';
import { SqliteStore } from '../../store/index.ts';
import { parseCommandLine, type Command } from '../command.ts';
import { dataDir, existingStore } from '../data.ts';
import { CliError } from '../errors.ts';

const USAGE = `Usage: tenet mode MODE [--image REF | --namespace NS | --app NAME | --all] [--dimension D] [--data DIR]
       tenet mode unset [--image REF | --namespace NS | --app NAME | --all] [--dimension D] [--data DIR]
       tenet mode list [--data DIR] [--format table|json]

What Tenet does about behaviour outside a model, per scope and dimension:
  learn     the model keeps learning it (threat intelligence and known-bad rules still report)
  alert     an audit (the default)
  prevent   the one activity is stopped (the process killed before it runs, the
            connection dropped, the write refused) and audited; the container lives on
  block     the container is stopped: opt-in only, never a default

The narrowest scope naming a container wins (image, then app, then namespace,
then --all); within a scope, a setting for one --dimension (${ModelDimension.options.join(', ')})
wins over one for every dimension. A running defender takes a change up within a second.`;

const SCOPES = ['image', 'namespace', 'app', 'all'] as const;

function scopeOf(values: { image?: string; namespace?: string; app?: string; all?: boolean }): ModeScope {
  const given = SCOPES.filter((s) => (s === 'all' ? values.all === true : values[s] !== undefined));
  if (given.length > 1) throw new CliError('ERR_USAGE', `give one scope, not ${given.map((s) => `--${s}`).join(' and ')}`);
  const scope = given[0];
  if (scope === undefined) throw new CliError('ERR_USAGE', `a mode needs a scope: --image REF, --namespace NS, --app NAME or --all\n\n${USAGE}`);
  return scope === 'all' ? { kind: 'all' } : { kind: scope, value: values[scope]! };
}

function dimensionOf(value: string | undefined): ModelDimension | undefined {
  if (value === undefined) return undefined;
  const parsed = ModelDimension.safeParse(value);
  if (!parsed.success) throw new CliError('ERR_BAD_OPTION_VALUE', `--dimension must be one of ${ModelDimension.options.join(', ')}, not "${value}"`);
  return parsed.data;
}

const describe = (s: Pick<ModeSetting, 'scope' | 'dimension'>) =>
  `${s.scope.kind === 'all' ? 'every container' : `${s.scope.kind} ${s.scope.value}`}, ${s.dimension ?? 'every dimension'}`;

export const modeCommand: Command = {
  name: 'mode',
  summary: 'learn, alert, prevent or block, per image, app, namespace or everything',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      image: { type: 'string' }, namespace: { type: 'string' }, app: { type: 'string' }, all: { type: 'boolean' },
      dimension: { type: 'string' }, data: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    }, USAGE);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const [action = 'list'] = positionals;
    if (action === 'list') {
      const store = existingStore(values.data);
      try {
        const all = await store.modes();
        if (values.format === 'json') io.stdout(`${JSON.stringify(all, null, 2)}\n`);
        else if (all.length === 0) io.stdout('no modes set: every container alerts\n');
        else for (const s of all) io.stdout(`${s.mode.padEnd(8)} ${describe(s)} (since ${s.setAt})\n`);
        return 0;
      } finally {
        await store.close();
      }
    }
    const scope = scopeOf(values);
    const dimension = dimensionOf(values.dimension);
    const store = new SqliteStore(dataDir(values.data));
    try {
      if (action === 'unset') {
        if (!await store.removeMode({ scope, ...(dimension !== undefined && { dimension }) })) throw new CliError('ERR_USAGE', `no mode is set for ${describe({ scope, dimension })}; \`tenet mode list\` shows them`);
        io.stdout(`unset: ${describe({ scope, dimension })}\n`);
        return 0;
      }
      const mode = Mode.safeParse(action);
      if (!mode.success) throw new CliError('ERR_USAGE', `MODE must be one of ${Mode.options.join(', ')}, unset or list, not "${action}"\n\n${USAGE}`);
      await store.putMode({ scope, ...(dimension !== undefined && { dimension }), mode: mode.data, setAt: new Date().toISOString() });
      io.stdout(`${mode.data}: ${describe({ scope, dimension })}${mode.data === 'block' ? ' (a deviation stops the container)' : ''}\n`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
