import { hostname } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { enroll, INGEST_FORMATS, localDefender, parseIngest, Recorder, StepError, Uplink } from '../../defender/index.ts';
import { detectRuntimes, locateRuntimes, parseRuntime, systemClock } from '../../runtime/index.ts';
import { ModelDimension, type IntentModel } from '../../model/index.ts';
import type { HealPolicy } from '../../detect/index.ts';
import { VERSION } from '../version.ts';
import { CriError, EngineError } from '../../runtime/index.ts';
import { SqliteStore } from '../../store/index.ts';
import { parseCommandLine, type Command } from '../command.ts';
import { dataDir, parseDuration } from '../data.ts';
import { CliError } from '../errors.ts';

const USAGE = `Usage: tenet defender [options]

Runs the defender on this host until stopped (Ctrl-C, SIGTERM): follows the
containers of the host's runtimes (the Docker engine, containerd or CRI-O
through CRI), runs the bpftrace sensor on their cgroups (as root), learns
one model per image and reports drift and deviations. Models, events,
audits and status go to the store in the data folder, which
\`tenet status\`, \`tenet models\` and \`tenet audits\` read while it runs.
Each audit is also printed on standard output as one JSON line.

Options:
  --learn-for DURATION  the longest new models learn, in time a container of the
                        model runs (30s, 15m, 1h; default 1h); a model whose every
                        dimension stopped learning anything new becomes active
                        sooner (docs/learning.md)
  --no-converge         models learn for the whole --learn-for, converged or not
  --heal DIMENSIONS:N   accept proposals of these model dimensions (comma-separated:
                        syscalls,writable) by themselves once seen N times
                        (default: every proposal waits; \`tenet models proposals\`)
  --data DIR            data folder (default $TENET_DATA, /var/lib/tenet as root, else ~/.tenet)
  --runtime RUNTIME     a container runtime to follow: \`docker\`, \`docker:SOCKET\` or
                        \`cri:SOCKET\` (containerd, CRI-O); may be given several times;
                        a socket is the host's path, also from inside a container.
                        Default: every runtime found running on the host (dockerd,
                        containerd, crio, by their processes, wherever their sockets
                        are) and the standard sockets, each that answers its API
  --no-sensor           do not start bpftrace (containers and models only)
  --syscalls MODE       when to watch each container's syscalls: \`learning\` (default:
                        while a model learns, then a 15 s sample every 10 min) or
                        \`always\` (a probe on every syscall of the host: the
                        sensor's largest cost, see bench/sensor-overhead)
  --events WHICH        the events written to the store: \`novel\` (default: those a
                        model or graph learned from, or that were judged; the others,
                        which the models already hold, are only counted) or \`all\`
  --no-images           do not read images (models start empty, no drift by inventory)
  --no-peer-names       do not ask the containers' DNS servers again for the names they
                        asked: peers are kept by address (a Service by its ClusterIP)
  --intent-registry HOST  a registry (HOST[:PORT]) to ask for the intent manifest of
                        its images that containers run (\`tenet intent push\`): the
                        model starts from it, and is enforced at once when it is active;
                        may be given several times
  --ingest FORMAT:FILE  also read another tool's JSON output as events: falco, tetragon
                        or tracee; FILE is followed as it grows (\`-\` for standard
                        input); may be given several times
  --console URL         report to a console (https://host:8443), keep taking its modes,
                        suppressions, feeds and commands; several for replicas, tried in
                        turn. While none answers the defender goes on and keeps what it has
                        to send in its data folder (at most --spool records, the oldest
                        dropped past it, and counted)
  --enroll-token TOKEN  the console's enrollment token, for the first start (also
                        $TENET_ENROLL_TOKEN); the defender's own credentials are then kept
                        in the data folder (console.json)
  --console-ca FILE     a certificate to trust for the console (its self-signed one)
  --spool N             records kept for the console at most (default 1000000)
  --record FILE         also write everything the defender is given (containers, images,
                        the sensors' records, what /proc said, the answers to the names it
                        asked, the policy read) to FILE:
                        \`tenet dryrun --replay FILE\` plays it again
  --quiet               no log lines on standard error`;

export const defenderCommand: Command = {
  name: 'defender',
  summary: 'the defender on this host: sensor, learning, drift and deviations',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandLine(args, {
      'learn-for': { type: 'string' },
      'no-converge': { type: 'boolean' },
      heal: { type: 'string' },
      data: { type: 'string' },
      runtime: { type: 'string', multiple: true },
      'no-sensor': { type: 'boolean' },
      syscalls: { type: 'string' },
      'no-images': { type: 'boolean' },
      'no-peer-names': { type: 'boolean' },
      events: { type: 'string' },
      'intent-registry': { type: 'string', multiple: true },
      ingest: { type: 'string', multiple: true },
      console: { type: 'string', multiple: true },
      'enroll-token': { type: 'string' },
      'console-ca': { type: 'string' },
      spool: { type: 'string' },
      record: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    }, USAGE);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const learnForSec = parseDuration(values['learn-for'] ?? '1h', '--learn-for');
    const syscalls = values.syscalls ?? 'learning';
    if (syscalls !== 'learning' && syscalls !== 'always') throw new CliError('ERR_BAD_OPTION_VALUE', `--syscalls must be learning or always, not "${syscalls}"`);
    const events = values.events ?? 'novel';
    if (events !== 'novel' && events !== 'all') throw new CliError('ERR_BAD_OPTION_VALUE', `--events must be novel or all, not "${events}"`);
    const runtimes = locateRuntimes((values.runtime ?? []).map((text) => {
      const parsed = parseRuntime(text);
      if (parsed === undefined) throw new CliError('ERR_BAD_OPTION_VALUE', `--runtime must be docker, docker:SOCKET or cri:SOCKET, not "${text}"`);
      return parsed;
    }));
    const ingest = (values.ingest ?? []).map((spec) => {
      const parsed = parseIngest(spec);
      if (parsed === undefined) throw new CliError('ERR_BAD_OPTION_VALUE', `--ingest must be FORMAT:FILE with FORMAT one of ${Object.keys(INGEST_FORMATS).join(', ')}, not "${spec}"`);
      return parsed;
    });
    const dir = dataDir(values.data);
    const log = (line: string) => {
      if (!values.quiet) io.stderr(`${new Date().toISOString()} ${line}\n`);
    };
    const urls = (values.console ?? []).flatMap((u) => u.split(',')).filter((u) => u !== '');
    const spool = values.spool === undefined ? 1_000_000 : Number(values.spool);
    if (!Number.isInteger(spool) || spool < 1000) throw new CliError('ERR_BAD_OPTION_VALUE', `--spool must be a whole number of records, at least 1000, not "${values.spool}"`);
    const store = new SqliteStore(dir, urls.length > 0 ? { outbox: { max: spool } } : {});
    let uplink: Uplink | undefined;
    if (urls.length > 0) {
      try {
        uplink = await consoleUplink({
          dir, urls, store, log, enrollToken: values['enroll-token'] ?? process.env.TENET_ENROLL_TOKEN, ca: values['console-ca'],
          // models learned on other nodes: the defender is made next, and started before the uplink
          onModels: (models) => defender.adopt(models),
        });
      } catch (e) {
        await store.close();
        throw e;
      }
    }
    if (runtimes.length === 0) runtimes.push(...await detectRuntimes(log));
    const recorder = values.record === undefined ? undefined : new Recorder(values.record, systemClock, learnForSec, values['no-converge'] !== true);
    const defender = localDefender({
      ...(recorder !== undefined && { recorder }),
      store,
      learnForSec,
      ...(values['no-converge'] === true && { converge: false }),
      ...(values.heal !== undefined && { heal: parseHeal(values.heal) }),
      sensor: values['no-sensor'] !== true,
      analyseImages: values['no-images'] !== true,
      peerNames: values['no-peer-names'] !== true,
      runtimes,
      events,
      intentRegistries: values['intent-registry'] ?? [],
      ...(syscalls === 'learning' && { syscallSample: { windowMs: 15_000, periodMs: 600_000 } }),
      onLog: log,
      ingest,
      onAudit: (audit) => io.stdout(`${JSON.stringify(audit)}\n`),
    });
    try {
      await defender.start();
    } catch (e) {
      await recorder?.close();
      await store.close();
      const cause = e instanceof StepError ? e.cause : e;
      if (cause instanceof EngineError) throw new CliError('ERR_ENGINE', cause.message);
      if (cause instanceof CriError) throw new CliError('ERR_RUNTIME', cause.message);
      throw e;
    }
    uplink?.start();
    log(`defender running: containers of ${runtimes.map((r) => (r.kind === 'docker' ? `docker${r.socket !== undefined ? `:${r.socket}` : ''}` : `cri:${r.socket}`)).join(', ')}; data ${dir}, learning window ${learnForSec} s${urls.length > 0 ? `, reporting to ${urls.join(', ')}` : ''}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    log('stopping');
    await defender.stop();
    await recorder?.close();
    await uplink?.stop();
    await store.close();
    return 0;
  },
};

/** Where a defender keeps its console credentials. */
const CREDENTIALS = 'console.json';

/**
 * The uplink to the console: with the credentials kept in the data folder,
 * or enrolled now with the enrollment token (and the credentials kept).
 */
async function consoleUplink(spec: {
  dir: string; urls: string[]; store: SqliteStore; log: (line: string) => void; enrollToken: string | undefined; ca: string | undefined; onModels: (models: IntentModel[]) => void;
}): Promise<Uplink> {
  let ca: string | undefined;
  if (spec.ca !== undefined) {
    try {
      ca = readFileSync(spec.ca, 'utf8');
    } catch (e) {
      throw new CliError('ERR_PATH_NOT_FOUND', `--console-ca: ${(e as Error).message}`);
    }
  }
  const path = join(spec.dir, CREDENTIALS);
  let credentials: { id: string; token: string } | undefined;
  if (existsSync(path)) credentials = JSON.parse(readFileSync(path, 'utf8')) as { id: string; token: string };
  else {
    if (spec.enrollToken === undefined) throw new CliError('ERR_USAGE', `this defender is not enrolled with a console yet: give --enroll-token (an admin makes one: POST /api/v1/tokens {"name": "…", "enroll": true})\n\n${USAGE}`);
    try {
      credentials = await enroll(spec.urls[0]!, spec.enrollToken, { name: hostname(), hostname: hostname(), version: VERSION }, ca);
    } catch (e) {
      throw new CliError('ERR_CONSOLE', (e as Error).message);
    }
    writeFileSync(path, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
    spec.log(`enrolled with ${spec.urls[0]} as defender ${credentials.id}`);
  }
  return new Uplink({ store: spec.store, urls: spec.urls, token: credentials.token, version: VERSION, ...(ca !== undefined && { ca }), log: spec.log, onModels: spec.onModels });
}

/** `--heal syscalls,writable:5`: the dimensions whose proposals are accepted by themselves, and after how many audits. */
export function parseHeal(text: string): HealPolicy {
  const match = /^([a-z,]+):(\d+)$/.exec(text);
  const dimensions = match?.[1]!.split(',') ?? [];
  const bad = dimensions.filter((d) => !(ModelDimension.options as readonly string[]).includes(d));
  if (match === null || dimensions.length === 0 || bad.length > 0 || Number(match[2]) < 1) {
    throw new CliError('ERR_BAD_OPTION_VALUE', `--heal must be DIMENSIONS:N with DIMENSIONS among ${ModelDimension.options.join(', ')} and N at least 1, not "${text}"`);
  }
  return { dimensions: dimensions as ModelDimension[], after: Number(match[2]) };
}
