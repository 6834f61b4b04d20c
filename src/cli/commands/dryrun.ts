import { Replay, RecordingError, replayDryRun, type ReplayRun } from '../../defender/index.ts';
import { dryRun, type DryRunEntry } from '../../enforce/index.ts';
import { parseImage } from '../../intent/index.ts';
import { Mode, type IntentModel } from '../../model/index.ts';
import type { Io } from '../command.ts';
import { parseCommandLine, type Command } from '../command.ts';
import { pageOf, readStore, tableOrJson } from '../data.ts';
import { CliError } from '../errors.ts';

const USAGE = `Usage: tenet dryrun [--image REF | --model ID] [--since TIME] [--limit N] [--data DIR] [--format table|json]
       tenet dryrun --replay FILE [--mode MODE] [--format table|json]

What prevent would have done: the events a defender recorded for the
containers of each model (the newest N, default 200000, from TIME on), judged
against the model as it is now — a learning model as if it were active. Each
activity outside the model is listed once with its count, first and last
time and containers: what prevent would have stopped (a process killed, a
connection dropped, a write refused, a syscall refused at the next start), and
what it would only have reported. Nothing is changed.

With --replay, a recording (\`tenet defender --record FILE\`, gzipped or
not) is played through the defender itself, on a store of its own, with
enforcers that only say what they would do: every audit the defender made,
with the action its mode would take, and the incidents. --mode puts every
dimension of every container in MODE (learn, alert, prevent, block) instead
of the modes the recording read.`;

function matches(model: IntentModel, values: { image?: string | undefined; model?: string | undefined }): boolean {
  if (values.model !== undefined) return model.id === values.model || model.id.startsWith(values.model);
  if (values.image === undefined) return true;
  const wanted = parseImage(values.image).repository;
  return model.image !== undefined && (model.image === values.image || parseImage(model.image).repository === wanted);
}

function lines(entries: readonly DryRunEntry[], heading: string): string[] {
  if (entries.length === 0) return [];
  return [heading, ...entries.map((e) => `  ${String(e.count).padStart(6)}× ${e.dimension.padEnd(12)} ${e.entry}${e.parent !== undefined ? ` (from ${e.parent})` : ''}`
    + `  ${e.action ?? 'reported'}; ${e.containers.join(', ')}; ${e.first} … ${e.last}`)];
}

export const dryrunCommand: Command = {
  name: 'dryrun',
  summary: 'what prevent would have stopped over the recorded events, before anything is switched to prevent',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandLine(args, {
      image: { type: 'string' }, model: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' },
      data: { type: 'string' }, format: { type: 'string' }, replay: { type: 'string' }, mode: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    }, USAGE);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    if (values.replay !== undefined) return replayed(values.replay, values.mode, tableOrJson(values.format, 'table'), io);
    if (values.mode !== undefined) throw new CliError('ERR_USAGE', `--mode goes with --replay\n\n${USAGE}`);
    const format = tableOrJson(values.format, 'table');
    const page = pageOf({ since: values.since, limit: values.limit ?? '200000' });
    const { models, events } = await readStore(values.data, async (store) => {
      const found = (await store.models()).filter((m) => m.state !== 'archived' && matches(m, values));
      return { models: found, events: found.length > 0 ? await store.events(page) : [] };
    });
    if (models.length === 0) throw new CliError('ERR_NO_MODEL', `no model${values.image !== undefined ? ` of ${values.image}` : values.model !== undefined ? ` ${values.model}` : ''} in ${values.data ?? 'the data folder'}: \`tenet models\` lists them`);
    const runs = models.map((m) => dryRun(m, events));
    if (format === 'json') {
      io.stdout(`${JSON.stringify(runs, null, 2)}\n`);
      return 0;
    }
    for (const run of runs) {
      const model = models.find((m) => m.id === run.model)!;
      io.stdout(`Model ${run.model}${model.image !== undefined ? ` (${model.image})` : ''}, ${run.state}: ${run.events} events${run.from !== undefined ? ` from ${run.from} to ${run.to}` : ''}\n`);
      const out = [
        ...lines(run.prevented, `  prevent would have stopped ${run.prevented.length} activities:`),
        ...lines(run.reported, `  and reported ${run.reported.length} more:`),
      ];
      io.stdout(`${out.length > 0 ? out.join('\n') : '  nothing outside the model: prevent would have stopped nothing'}\n`);
    }
    return 0;
  },
};

/** `tenet dryrun --replay FILE`: the recording played through the defender, its audits and incidents printed. */
async function replayed(file: string, modeValue: string | undefined, format: 'table' | 'json', io: Io): Promise<number> {
  const mode = modeValue === undefined ? undefined : Mode.safeParse(modeValue);
  if (mode !== undefined && !mode.success) throw new CliError('ERR_BAD_OPTION_VALUE', `--mode must be one of ${Mode.options.join(', ')}, not "${modeValue}"`);
  let replay: Replay;
  try {
    replay = Replay.read(file);
  } catch (e) {
    if (e instanceof RecordingError) throw new CliError('ERR_BAD_RECORDING', e.message);
    throw e;
  }
  const run = await replayDryRun(replay, mode === undefined ? {} : { mode: mode.data });
  if (format === 'json') {
    io.stdout(`${JSON.stringify(run, null, 2)}\n`);
    return 0;
  }
  io.stdout(`${tableOf(file, run)}\n`);
  return 0;
}

function tableOf(file: string, run: ReplayRun): string {
  const c = run.counts;
  const out = [`Replay of ${file}: ${run.from} … ${run.to}; ${c.records} records, ${c.events} events, ${run.audits.length} audits, ${run.incidents.length} incidents`];
  for (const m of run.models) out.push(`  model ${m.id}${m.image !== undefined ? ` (${m.image})` : ''}: ${m.state}`);
  for (const a of run.audits) out.push(`  ${a.time} ${a.severity.padEnd(8)} ${a.rule.padEnd(20)} ${a.message}${a.action !== undefined ? ` [${a.action.taken}]` : ''}`);
  for (const i of run.incidents) out.push(`  incident: ${i.title} in ${i.container.name ?? i.container.id} (${i.severity}, ${i.count} audits)`);
  return out.join('\n');
}
