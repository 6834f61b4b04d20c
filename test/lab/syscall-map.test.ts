import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generate, trace } from '../../scripts/syscall-map/generate.ts';
import { BASELINE, PROBES } from '../../scripts/syscall-map/probes.ts';
import { nodeSyscallMap } from '../../src/knowledge/index.ts';

test('the committed syscall map is this Node.js\'s, and still true here', { timeout: 120_000 }, async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('not root: this machine is not a lab');
    return;
  }
  const map = nodeSyscallMap(process.version, process.arch);
  if (map?.node !== process.versions.node) {
    // Node changed: regenerate and show what moved, so the new map is reviewed and committed.
    const fresh = await generate(PROBES, 2);
    const moved = Object.entries(fresh.apis)
      .filter(([api, names]) => names.join(' ') !== (map?.apis[api] ?? []).join(' '))
      .map(([api, names]) => `  ${api}: ${(map?.apis[api] ?? []).join(' ')} → ${names.join(' ')}`);
    assert.fail(`the syscall map is for Node ${map?.node ?? 'none'}, this is ${process.versions.node}: run \`npm run syscall-map\` and commit it.\n${moved.join('\n')}`);
  }
  // Re-trace a few probes: what they do now must be in the baseline plus their entry.
  const allowed = (api: string) => new Set([...map.baseline, ...(map.apis[api] ?? [])]);
  // among them names resolved by a real DNS server, a TLS handshake and a copy across filesystems
  for (const api of ['fs.watch', 'net.connect', 'child_process.spawn', 'dns.lookup', 'fs.rm', 'tls.connect', 'fs.copyFile']) {
    const probe = PROBES.find((p) => p.api === api)!;
    const seen = await trace(probe);
    const extra = [...seen].filter((s) => !allowed(api).has(s));
    assert.deepEqual(extra, [], `${api} asked for syscalls the map does not list`);
  }
  const base = await trace(BASELINE[0]!);
  assert.deepEqual([...base].filter((s) => !map.baseline.includes(s)), [], 'the baseline program stays within the baseline');
});
