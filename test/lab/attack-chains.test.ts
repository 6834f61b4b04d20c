// The red team's trial, once (lab/depot.ts): the depot learned under its normal load, a minute more of that load
// with nothing reported, then twelve attack chains, each told by its own rule as its own incident.
// bench/attack-chains runs it five times with ten minutes of normal load.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHAINS, trial } from '../../lab/depot.ts';
import { inLab } from './lab.ts';

test('twelve attack chains on an app learned under load: each its rule and its own incident; the normal load reports nothing', { timeout: 600_000 }, async (t) => {
  if (!(await inLab(t))) return;
  const result = await trial({ learnSec: 90, converge: true, normalSec: 60, attacks: true, log: (line) => t.diagnostic(line) });
  const said = (xs: ReadonlyArray<{ message?: string; title?: string; container: { name?: string } }>) => xs.map((x) => `${x.container.name}: ${x.title ?? x.message}`).join('\n');
  assert.deepEqual([result.normal.audits.length, result.normal.incidents.length], [0, 0], `${said(result.normal.audits)}\n${said(result.normal.incidents)}`);

  const { audits, incidents } = result.attacked;
  const serviceOf = (name: string | undefined) => name?.match(/^depot[-_](\w+)[-_]1$/)?.[1];
  for (const chain of CHAINS) {
    assert.ok(audits.some((a) => serviceOf(a.container.name) === chain.service && a.rule === chain.rule), `${chain.name}: a ${chain.rule} audit in ${chain.service}\n${said(audits)}`);
  }
  const told = incidents.map((i) => `${serviceOf(i.container.name)} ${i.pattern}`).sort();
  assert.deepEqual(told, CHAINS.map((c) => `${c.service} ${c.pattern}`).sort(), incidents.map((i) => `${i.container.name} ${i.pattern}: ${i.timeline.map((l) => l.rule).join(' → ')}`).join('\n'));
  for (const i of incidents) {
    assert.ok(i.techniques !== undefined && i.techniques.length > 0 && i.container.image !== undefined, `${i.pattern}: its techniques and image`);
  }
  t.diagnostic(`incidents: ${incidents.map((i) => `${serviceOf(i.container.name)} ${i.title} (${i.count} audits)`).join('; ')}`);
});
