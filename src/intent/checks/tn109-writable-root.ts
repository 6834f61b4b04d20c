import { finding } from '../../model/index.ts';
import { describe, isDeployed, locate, type Check } from './check.ts';

export const writableRoot: Check = {
  code: 'TN109',
  check(model) {
    if (model.filesystem.readOnlyRoot || !isDeployed(model)) return [];
    const location = locate(model);
    return location ? [finding('TN109', `${describe(model)} has a writable root filesystem`, location, model.id)] : [];
  },
};
