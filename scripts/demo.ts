// `npm run demo`: models the embedded example shop; where the lab can run (root),
// it sets the lab up first and also models the lab's shop with its real images.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isRoot, LAB_IMAGES } from '../lab/lab.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root }).status ?? 1;

if (run(['lab/lab.ts', 'up', '--if-root']) !== 0) process.exit(1);
console.log('\n== examples/shop: Dockerfile, Kubernetes and Compose ==\n');
let status = run(['src/cli/main.ts', 'analyze', 'examples/shop', '--fail-on', 'none']);
if (isRoot()) {
  console.log('\n== examples/lab: the lab shop, joined to its images read from the Docker engine ==\n');
  const images = [LAB_IMAGES.nginx, LAB_IMAGES.nodeApp, LAB_IMAGES.redis].map((tag) => `image:${tag}`);
  status ||= run(['src/cli/main.ts', 'analyze', 'examples/lab', ...images, '--fail-on', 'none']);
}
process.exit(status);
