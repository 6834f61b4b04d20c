#!/usr/bin/env node
// Runs the CLI from a checkout under the project's own Node 24 (an npm dependency),
// whichever node started this file: the sources are TypeScript, run by type stripping.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  // Caches compiled modules between runs: most of a short run is loading the sources.
  (await import('node:module')).enableCompileCache?.();
  const { main, processIo } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv.slice(2), processIo);
} else {
  const node = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(node)) {
    process.stderr.write(`tenet: Node.js 24 or newer is needed (this is ${process.version}); run \`npm ci\` in the checkout first\n`);
    process.exit(2);
  }
  const result = spawnSync(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
