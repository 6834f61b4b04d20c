import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore, STORE_FILE, type Page } from '../store/index.ts';
import { parseCommandLine, type Command } from './command.ts';
import { CliError } from './errors.ts';

/** The data folder: `--data`, else $TENET_DATA, else /var/lib/tenet for root and ~/.tenet for others. */
export function dataDir(option: string | undefined): string {
  return option ?? process.env.TENET_DATA ?? (process.getuid?.() === 0 ? '/var/lib/tenet' : join(homedir(), '.tenet'));
}

/** The store of a data folder that a defender already wrote. */
export function existingStore(option: string | undefined): SqliteStore {
  const dir = dataDir(option);
  if (!existsSync(join(dir, STORE_FILE))) {
    throw new CliError('ERR_NO_DATA', `${dir} holds no Tenet store: run \`tenet defender --data ${dir}\` first, or give the folder it uses with --data`);
  }
  return new SqliteStore(dir);
}

/** What `read` takes from the store of a data folder a defender wrote, the store closed after. */
export async function readStore<T>(option: string | undefined, read: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = existingStore(option);
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `30s`, `15m`, `1h30m`, `2d`, or a number of seconds. */
export function parseDuration(text: string, what: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new CliError('ERR_BAD_OPTION_VALUE', `${what} must be a duration such as 30s, 15m, 1h or 2d, not "${text}"`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0);
}

/** `--format table|json` of the commands that read the store, with their default. */
export function tableOrJson(value: string | undefined, fallback: 'table' | 'json'): 'table' | 'json' {
  const format = value ?? fallback;
  if (format !== 'table' && format !== 'json') throw new CliError('ERR_BAD_OPTION_VALUE', `--format must be table or json, not "${format}"`);
  return format;
}

/** `--since TIME --limit N`: the newest N records from TIME on. */
export function pageOf(values: { since?: string | undefined; limit?: string | undefined }): Page {
  const limit = values.limit === undefined ? 1000 : Number(values.limit);
  if (!Number.isInteger(limit) || limit <= 0) throw new CliError('ERR_BAD_OPTION_VALUE', `--limit must be a positive integer, not "${values.limit}"`);
  if (values.since !== undefined && Number.isNaN(Date.parse(values.since))) throw new CliError('ERR_BAD_OPTION_VALUE', `--since must be an ISO time, not "${values.since}"`);
  return { limit, ...(values.since !== undefined && { since: new Date(values.since).toISOString() }) };
}

/**
 * A command that prints records the defender stored (`tenet audits`,
 * `tenet incidents`): the newest N from a time on, oldest first, as JSON (the
 * default) or as a table of `lines` each.
 */
export function recordsCommand<T>(spec: {
  name: string;
  summary: string;
  usage: string;
  read: (store: SqliteStore, page: Page) => Promise<T[]>;
  lines: (record: T) => string[];
}): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: spec.usage,
    async run(args, io) {
      const { values } = parseCommandLine(args, {
        data: { type: 'string' }, format: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      }, spec.usage);
      if (values.help) {
        io.stdout(`${spec.usage}\n`);
        return 0;
      }
      const format = tableOrJson(values.format, 'json');
      const page = pageOf(values);
      const records = await readStore(values.data, (store) => spec.read(store, page));
      if (format === 'json') io.stdout(`${JSON.stringify(records, null, 2)}\n`);
      else for (const r of records) for (const line of spec.lines(r)) io.stdout(`${line}\n`);
      return 0;
    },
  };
}
