import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DEFAULT_MAX_FILE_SIZE, diffIntent } from '../../intent/index.ts';
import { isImageInput } from '../../image/index.ts';
import type { Analysis } from '../../model/index.ts';
import { analyzePaths } from '../analysis.ts';
import { parseCommandLine, writeResult, type Command } from '../command.ts';
import { CliError } from '../errors.ts';
import { diffMarkdown, diffSarif, diffTable } from '../output/diff.ts';
import { VERSION } from '../version.ts';

const USAGE = `Usage: tenet diff OLD NEW [options]

The intent change between two versions: every model's entries added and
removed in every dimension (programs, ports, peers, DNS names, writable paths,
syscalls, capabilities, a writable root) and the application graphs' flows,
each said to widen what the container may do or to narrow it, with the file
and line it comes from. OLD and NEW are each a file or folder (manifests,
Dockerfiles, Node.js apps), a git revision of one (REV:PATH, as in
\`main:deploy/\`), or an image (image:NAME, docker-archive:FILE…).

Options:
  --format FORMAT      table (default), markdown (a pull-request comment), json, sarif
  --fail-on widening   exit 1 when anything widens (a CI gate); default none
  -o, --output FILE    write there instead of standard output

Exit codes: 0 done, 1 a change --fail-on names, 2 unusable input or usage error.`;

const FORMATS = ['table', 'markdown', 'json', 'sarif'] as const;

/** A side as the analysis reads it; a git revision is checked out into a temporary folder first. */
async function analyzeSide(side: string): Promise<Analysis> {
  const options = { maxFileSize: DEFAULT_MAX_FILE_SIZE, verify: false };
  const revision = /^([^:/\\][^:]*):(.*)$/.exec(side);
  if (revision === null || isImageInput(side) || existsSync(side)) return analyzePaths([side], options);
  const [, rev, path] = revision as unknown as [string, string, string];
  const commit = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { encoding: 'utf8' });
  if (commit.status !== 0) throw new CliError('ERR_PATH_NOT_FOUND', `${side}: no such path, and ${rev} is not a git revision here`);
  const prefix = spawnSync('git', ['rev-parse', '--show-prefix'], { encoding: 'utf8' }).stdout.trim();
  const dir = mkdtempSync(join(tmpdir(), 'tenet-diff-'));
  try {
    const archive = spawnSync('git', ['archive', '--format=tar', commit.stdout.trim(), '--', `${prefix}${path || '.'}`], { maxBuffer: 1024 * 1024 * 1024 });
    if (archive.status !== 0) throw new CliError('ERR_PATH_NOT_FOUND', `${side}: ${archive.stderr.toString().trim()}`);
    const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
    if (untar.status !== 0) throw new CliError('ERR_PATH_NOT_FOUND', `${side}: ${untar.stderr.toString().trim()}`);
    const analysis = await analyzePaths([join(dir, prefix, path)], options);
    // the evidence names the revision's files as the repository does, not the temporary copy (named relative to here)
    const copy = join(dir, prefix);
    return JSON.parse(JSON.stringify(analysis).replaceAll(`"${relative(process.cwd(), copy)}/`, `"${rev}:`).replaceAll(`"${copy}/`, `"${rev}:`)) as Analysis;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const diffCommand: Command = {
  name: 'diff',
  summary: 'the intent change between two versions, widening or narrowing, for review in CI',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      format: { type: 'string', default: 'table' }, 'fail-on': { type: 'string', default: 'none' }, output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' },
    }, USAGE);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 2) throw new CliError('ERR_USAGE', `diff needs OLD and NEW\n\n${USAGE}`);
    const format = values.format as (typeof FORMATS)[number];
    if (!FORMATS.includes(format)) throw new CliError('ERR_BAD_OPTION_VALUE', `--format must be one of ${FORMATS.join(', ')}, not "${values.format}"`);
    if (values['fail-on'] !== 'widening' && values['fail-on'] !== 'none') throw new CliError('ERR_BAD_OPTION_VALUE', `--fail-on must be widening or none, not "${values['fail-on']}"`);
    const [before, after] = [await analyzeSide(positionals[0]!), await analyzeSide(positionals[1]!)];
    const diff = diffIntent(before, after);
    const text = format === 'json' ? `${JSON.stringify(diff, null, 2)}\n`
      : format === 'sarif' ? `${JSON.stringify(diffSarif(diff, VERSION), null, 2)}\n`
        : format === 'markdown' ? diffMarkdown(diff) : diffTable(diff);
    writeResult(text, values.output, io);
    return values['fail-on'] === 'widening' && diff.changes.some((c) => c.widening) ? 1 : 0;
  },
};
