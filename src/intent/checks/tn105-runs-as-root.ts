import { finding } from '../../model/index.ts';
import { describe, isDeployed, locate, type Check } from './check.ts';

const ROOT = /^(0|root)(:.*)?$/;

/** Root when the user is declared root, or (Kubernetes, Compose) when nothing keeps the container from it. */
export const runsAsRoot: Check = {
  code: 'TN105',
  check(model) {
    const { user, runAsNonRoot } = model.security;
    if (user !== undefined && ROOT.test(user.value.trim())) {
      const location = locate(model, user.sources);
      return location ? [finding('TN105', `${describe(model)} runs as root (user ${user.value})`, location, model.id)] : [];
    }
    if (!isDeployed(model) || user !== undefined || runAsNonRoot?.value === true) return [];
    const format = model.workload?.sources.find((s) => s.format !== undefined)?.format;
    const location = format === 'kubernetes' || format === 'compose' ? locate(model) : undefined;
    if (location === undefined) return [];
    // Compose has no runAsNonRoot: the service runs as whoever its image says, root unless the image says otherwise
    const why = format === 'kubernetes' ? 'neither runAsUser nor runAsNonRoot is set' : 'it sets no user, so it runs as its image\'s (root unless the image sets one)';
    return [finding('TN105', `${describe(model)} may run as root: ${why}`, location, model.id)];
  },
};
