import { finding } from '../../model/index.ts';
import { describe, isDeployed, locate, type Check } from './check.ts';

const ROOT = /^(0|root)(:.*)?$/;

/** Root when the user is declared root, or (Kubernetes) when nothing keeps the pod from it. */
export const runsAsRoot: Check = {
  code: 'TN105',
  check(model) {
    const { user, runAsNonRoot } = model.security;
    if (user !== undefined && ROOT.test(user.value.trim())) {
      const location = locate(model, user.sources);
      return location ? [finding('TN105', `${describe(model)} runs as root (user ${user.value})`, location, model.id)] : [];
    }
    const kubernetes = model.workload?.sources.some((s) => s.format === 'kubernetes') ?? false;
    if (kubernetes && isDeployed(model) && user === undefined && runAsNonRoot?.value !== true) {
      const location = locate(model);
      return location
        ? [finding('TN105', `${describe(model)} may run as root: neither runAsUser nor runAsNonRoot is set`, location, model.id)]
        : [];
    }
    return [];
  },
};
