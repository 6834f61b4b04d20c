import type { DefenderStatus } from '../../defender/index.ts';
import { parseCommandLine, type Command } from '../command.ts';
import { existingStore, tableOrJson } from '../data.ts';

const USAGE = `Usage: tenet status [--data DIR] [--format table|json]

What the defender of the data folder reports: whether it runs, its sensor's
health (starts, restarts, records, events lost, garbage lines), its
containers and its models with their learning state.`;

/** A defender that has not written its status for this long is reported as not running. */
const STALE_MS = 10_000;

export const statusCommand: Command = {
  name: 'status',
  summary: 'the defender, its sensor, containers and models',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandLine(args, { data: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, USAGE);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const format = tableOrJson(values.format, 'table');
    const store = existingStore(values.data);
    try {
      const reported = await store.status('defender');
      const defender = reported?.value as DefenderStatus | undefined;
      const fresh = reported !== undefined && Date.now() - Date.parse(reported.updatedAt) < STALE_MS && defender?.running === true;
      const containers = await store.containers();
      const models = (await store.models()).map((m) => ({
        id: m.id, image: m.image, state: m.state, remainingLearningDurationSec: m.remainingLearningDurationSec ?? 0,
        ...(m.learning?.convergence !== undefined && { convergence: { converged: m.learning.convergence.converged, ...(m.learning.convergence.by !== undefined && { by: m.learning.convergence.by }), waiting: m.learning.convergence.waiting } }),
      }));
      if (format === 'json') {
        io.stdout(`${JSON.stringify({ defender: defender === undefined ? null : { ...defender, running: fresh, reportedAt: reported!.updatedAt }, containers, models }, null, 2)}\n`);
        return 0;
      }
      const lines: string[] = [];
      if (defender === undefined) {
        lines.push('Defender   never reported');
      } else {
        lines.push(`Defender   ${fresh ? 'running' : 'not running'} on ${defender.host} (pid ${defender.pid}) since ${defender.startedAt}; last report ${reported!.updatedAt}`);
        const s = defender.sensor;
        lines.push(`Sensor     ${s.running ? 'running' : `not running${s.reason !== undefined ? `: ${s.reason}` : ''}`}; ${s.starts ?? 0} starts, ${s.restarts ?? 0} restarts, `
          + `${s.records ?? 0} records, ${s.lost ?? 0} events lost, ${s.garbage ?? 0} garbage lines${s.lastGarbage !== undefined ? ` (last: ${s.lastGarbage})` : ''}`);
        const y = defender.syscallSensor;
        if (y !== undefined) {
          lines.push(`Syscalls   ${y.running ? 'watched' : y.wanted ? 'starting' : 'not watched now (models learned; sampled)'}; ${y.starts} starts, ${y.restarts} restarts, `
            + `${y.records} records, ${y.lost} events lost, ${y.garbage} garbage lines`);
        }
        const g = defender.guard;
        if (g !== undefined && (g.running || g.containers > 0 || defender.counts.prevented > 0)) {
          lines.push(`Guard      ${g.running ? `killing unapproved programs in ${g.containers} prevented containers` : 'not running'}; `
            + `${defender.counts.prevented} killed${g.lastUpdateMs !== undefined ? `, last change live in ${g.lastUpdateMs} ms` : ''}`);
        }
        const n = defender.networkGuard;
        if (n !== undefined && (n.containers > 0 || (defender.counts.connectionsDropped ?? 0) > 0)) {
          lines.push(`Network    ${n.containers} containers held to their models by nftables; ${defender.counts.connectionsDropped ?? 0} connections dropped`);
        }
        const f = defender.fileGuard;
        if (f !== undefined && (f.containers > 0 || (defender.counts.writesRefused ?? 0) > 0)) {
          lines.push(`Files      ${f.containers} containers with the folders they do not write to read-only; ${defender.counts.writesRefused ?? 0} writes refused`);
        }
        const lacking = (defender.seccomp ?? []).filter((r) => !r.has);
        if (defender.seccomp !== undefined) {
          lines.push(`Seccomp    ${defender.seccomp.length - lacking.length} of ${defender.seccomp.length} containers whose syscalls are prevented run their model's profile`
            + `${lacking.length > 0 ? '; start these again with it (tenet generate seccomp --model MODEL):' : ''}`);
          for (const r of lacking) lines.push(`             ${r.name} (model ${r.model}) ${r.reason}`);
        }
        if (defender.counts.blocked > 0) lines.push(`Blocked    ${defender.counts.blocked} containers stopped for a deviation (block mode)`);
        const i = defender.ingested;
        if (i !== undefined) {
          const rejected = Object.values(i.rejected).reduce((n, x) => n + x, 0);
          lines.push(`Ingested   ${i.lines} lines: ${i.events} events, ${rejected} rejected, ${i.otherContainers} about containers not here`);
        }
        const c = defender.counts;
        lines.push(`Events     ${c.events} seen${c.stored === undefined ? '' : ` (${c.stored} stored)`}, ${c.audits} audits (${c.suppressed ?? 0} suppressed, ${c.rateLimited ?? 0} over the rate limit), `
          + `${c.unattributed} not from a container, ${c.dropped} dropped, learning window ${defender.learnForSec} s`);
        if (defender.intel !== undefined) lines.push(`Intel      ${defender.intel.indicators} indicators from ${(await store.feeds()).length} feeds`);
      }
      lines.push('', `Containers (${containers.filter((c) => c.running).length} running)`);
      for (const c of containers) lines.push(`  ${c.running ? '●' : '○'} ${c.name.padEnd(24)} ${c.image.padEnd(32)} ${c.model ?? '-'}`);
      lines.push('', `Models (${models.length})`);
      for (const m of models) {
        const ended = m.state !== 'learning' && m.convergence?.by !== undefined ? ` (${m.convergence.by === 'convergence' ? 'converged' : 'window over'})` : '';
        lines.push(`  ${m.id.padEnd(73)} ${m.state}${m.state === 'learning' ? ` (${m.remainingLearningDurationSec} s left at most)` : ended}  ${m.image ?? ''}`);
        // what keeps a learning model learning
        if (m.state === 'learning') for (const w of m.convergence?.waiting ?? []) lines.push(`      still moving: ${w.dimension ?? 'model'}: ${w.why}`);
      }
      io.stdout(`${lines.join('\n')}\n`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
