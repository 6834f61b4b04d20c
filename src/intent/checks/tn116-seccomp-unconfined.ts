import { finding } from '../../model/index.ts';
import { describe, isKubernetes, locate, type Check } from './check.ts';

/** A container without seccomp: declared Unconfined, or a Kubernetes container with no profile (Unconfined unless the kubelet defaults it). */
export const seccompUnconfined: Check = {
  code: 'TN116',
  check(model) {
    const profile = model.security.seccompProfile;
    if (profile === undefined) {
      const location = isKubernetes(model) && model.security.privileged?.value !== true ? locate(model) : undefined;
      return location ? [finding('TN116', `${describe(model)} sets no seccomp profile: it runs Unconfined unless the kubelet's seccomp default is on; set RuntimeDefault`, location, model.id)] : [];
    }
    if (profile.value.toLowerCase() !== 'unconfined') return [];
    const location = locate(model, profile.sources);
    return location ? [finding('TN116', `${describe(model)} runs without seccomp`, location, model.id)] : [];
  },
};
