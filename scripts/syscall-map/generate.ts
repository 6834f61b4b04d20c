/**
 * Generates the Node.js API → syscall map for the Node.js that runs this script:
 * each probe of probes.ts runs under strace (several rounds, fresh folder each),
 * and what it asks the kernel for beyond the baseline program is its set.
 *
 *   node scripts/syscall-map/generate.ts [--out FILE] [--rounds N] [--only API,API]
 *
 * The default output is src/knowledge/syscalls/node-v<MAJOR>-<ARCH>.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { NodeSyscallMap } from '../../src/knowledge/index.ts';
import { BASELINE, DNS_SERVER, PROBE_HOST, PROBES, type Probe } from './probes.ts';


const TRACE_LINE = /^\d+\s+(?:<\.\.\. )?([a-z0-9_]+)(?:\(| resumed>)/;

/** The distinct syscalls of an strace -f log. */
export function syscallsOf(log: string): Set<string> {
  const names = new Set<string>();
  for (const line of log.split('\n')) {
    const match = TRACE_LINE.exec(line);
    if (match) names.add(match[1]!);
  }
  return names;
}

/** A self-signed key and certificate for the probes' names, made untraced before a `certificate` probe. */
function makeCertificate(dir: string): void {
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=localhost', '-addext', `subjectAltName=DNS:localhost,DNS:${PROBE_HOST}`], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl could not make the probe's certificate: ${made.stderr}`);
}

/**
 * The command that runs a traced probe with what runs untraced beside it: a
 * `resolver` probe in its own network and mount namespace, loopback up,
 * /etc/resolv.conf naming the DNS server of probes.ts; a probe's peer (the
 * other end of its connections). Both stop when the probe ends.
 */
function withHelpers(dir: string, node: string, traced: readonly string[], resolver: boolean, peer: string | undefined): string[] {
  const script = ['set -e'];
  if (resolver) {
    writeFileSync(join(dir, 'dns-server.mjs'), DNS_SERVER);
    writeFileSync(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:2\n');
    script.push(
      'ip link set lo up',
      'mount --bind resolv.conf /etc/resolv.conf',
      '"$0" dns-server.mjs & server=$!',
      'for i in $(seq 100); do [ -e ready ] && break; sleep 0.05; done',
      'rm -f ready',
    );
  }
  if (peer !== undefined) {
    writeFileSync(join(dir, 'peer.mjs'), `${peer}\n`);
    script.push('"$0" peer.mjs & peer=$!');
  }
  script.push('set +e', '"$@"; code=$?');
  if (peer !== undefined) script.push('kill $peer 2>/dev/null; wait $peer 2>/dev/null');
  if (resolver) script.push('kill $server; wait $server 2>/dev/null');
  script.push('exit $code');
  const shell = ['sh', '-c', script.join('\n'), node, ...traced];
  return resolver ? ['unshare', '--net', '--mount', '--', ...shell] : shell;
}

/** Runs one probe (or a baseline program) under strace in a fresh folder; resolves to its syscalls. */
export function trace(probe: Probe | string, node = process.execPath): Promise<Set<string>> {
  const { code, needs = [], setup, peer } = typeof probe === 'string' ? { code: probe } as Probe : probe;
  const dir = mkdtempSync(join(tmpdir(), 'tenet-syscall-probe-'));
  if (setup !== undefined) {
    const made = spawnSync(node, ['--input-type=module', '-e', setup], { cwd: dir, encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`the probe's setup failed: ${made.stderr}`);
  }
  // The trace lives outside the probe's folder, or a probe watching its folder would see strace write.
  const log = `${dir}.trace`;
  writeFileSync(join(dir, 'probe.mjs'), `${code}\n`);
  if (needs.includes('certificate')) makeCertificate(dir);
  // a tmpfs: copies from there cross filesystems, as from a volume into a container's own layer
  const other = needs.includes('other-filesystem') ? mkdtempSync('/dev/shm/tenet-syscall-probe-') : undefined;
  if (other !== undefined) writeFileSync(join(other, 'f'), 'x'.repeat(100_000));
  const traced = ['strace', '-f', '-qq', '-o', log, '--', node, 'probe.mjs'];
  const resolver = needs.includes('resolver');
  const [command, ...args] = resolver || peer !== undefined ? withHelpers(dir, node, traced, resolver, peer) : traced;
  return new Promise((resolve, reject) => {
    const env = {
      ...process.env,
      ...(other !== undefined && { PROBE_OTHER_FILE: join(other, 'f') }),
      ...(needs.includes('packages') && { PROBE_PACKAGES: fileURLToPath(new URL('../../node_modules', import.meta.url)) }),
    };
    const child = spawn(command!, args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        if (code !== 0) throw new Error(`probe exited with ${code}: ${stderr.trim().slice(-500)}\n${code === null ? '' : readFileSync(join(dir, 'probe.mjs'), 'utf8')}`);
        resolve(syscallsOf(readFileSync(log, 'utf8')));
      } catch (e) {
        reject(e as Error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
        rmSync(log, { force: true });
        if (other !== undefined) rmSync(other, { recursive: true, force: true });
      }
    });
  });
}

async function union(probe: Probe | string, rounds: number): Promise<Set<string>> {
  const all = new Set<string>();
  for (let i = 0; i < rounds; i++) {
    // a probe that fails once on a loaded machine (a timer, a port) is run again, and said; twice is an error
    const seen = await trace(probe).catch((e: Error) => {
      console.error(`syscall map: ${typeof probe === 'string' ? 'a baseline program' : probe.api} failed once, run again: ${e.message.split('\n')[0]}`);
      return trace(probe);
    });
    for (const name of seen) all.add(name);
  }
  return all;
}

/** Runs `work` over `items`, `width` at a time. */
async function pool<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  }));
  return results;
}

export async function generate(probes: readonly Probe[], rounds: number): Promise<NodeSyscallMap> {
  const baseline = new Set<string>();
  for (const program of BASELINE) for (const name of await union(program, rounds + 1)) baseline.add(name);
  const added = await pool(probes, 2, async (probe) => {
    const seen = await union(probe, rounds);
    return [probe.api, [...seen].filter((s) => !baseline.has(s)).sort()] as const;
  });
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  return {
    node: process.versions.node,
    arch: process.arch,
    libc: report.header?.glibcVersionRuntime !== undefined ? `glibc ${report.header.glibcVersionRuntime}` : 'unknown',
    tracer: spawnSync('strace', ['-V'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'strace',
    baseline: [...baseline].sort(),
    apis: Object.fromEntries(added),
  };
}

export function defaultMapPath(major = process.versions.node.split('.')[0], arch = process.arch): string {
  return fileURLToPath(new URL(`../../src/knowledge/syscalls/node-v${major}-${arch}.json`, import.meta.url));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, rounds: { type: 'string', default: '3' }, only: { type: 'string' } } });
  const only = values.only?.split(',');
  const probes = only === undefined ? PROBES : PROBES.filter((p) => only.includes(p.api));
  const started = Date.now();
  const map = await generate(probes, Number(values.rounds));
  const out = values.out ?? defaultMapPath();
  writeFileSync(out, `${JSON.stringify(map, null, 2)}\n`);
  console.log(`syscall map: ${probes.length} APIs, baseline ${map.baseline.length} syscalls, Node ${map.node} ${map.arch}, ${((Date.now() - started) / 1000).toFixed(1)} s → ${out}`);
}
