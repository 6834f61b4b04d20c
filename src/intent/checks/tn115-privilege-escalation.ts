import { finding } from '../../model/index.ts';
import { describe, isKubernetes, locate, whenTrue, type Check } from './check.ts';

const declaredTrue = whenTrue('TN115', 'allowPrivilegeEscalation', 'allows privilege escalation');

/** `allowPrivilegeEscalation: true`, or a Kubernetes container that leaves it unset (Kubernetes allows it then). */
export const privilegeEscalation: Check = {
  code: 'TN115',
  check(model) {
    const declared = declaredTrue.check(model);
    if (declared.length > 0 || model.security.allowPrivilegeEscalation !== undefined || !isKubernetes(model)) return declared;
    const location = locate(model);
    return location ? [finding('TN115', `${describe(model)} leaves allowPrivilegeEscalation unset: Kubernetes lets its processes gain privileges (setuid); set it to false`, location, model.id)] : [];
  },
};
