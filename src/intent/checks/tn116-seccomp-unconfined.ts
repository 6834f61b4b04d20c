import { finding } from '../../model/index.ts';
import { describe, locate, type Check } from './check.ts';

export const seccompUnconfined: Check = {
  code: 'TN116',
  check(model) {
    const profile = model.security.seccompProfile;
    if (profile === undefined || profile.value.toLowerCase() !== 'unconfined') return [];
    const location = locate(model, profile.sources);
    return location ? [finding('TN116', `${describe(model)} runs without seccomp`, location, model.id)] : [];
  },
};
