import { LAUNCHERS, programOf, SHELLS, type Rule } from '../rule.ts';

export const shellFromServer: Rule = {
  id: 'shell-from-server',
  title: 'Shell started by a server process',
  severity: 'critical',
  technique: { id: 'T1059.004', name: 'Unix Shell' },
  kinds: ['exec'],
  needsModel: false,
  description: 'A shell whose parent is the container\'s application (not the runtime, an init or another shell), and which the model does not allow: the classic sign of command injection or a web shell.',
  detect: {
    exec(event, { ancestors, knownProcess }) {
      if (!SHELLS.has(programOf(event))) return undefined;
      const parent = ancestors[0] ?? event.process?.parent?.name;
      if (parent === undefined || SHELLS.has(parent) || LAUNCHERS.has(parent) || knownProcess()) return undefined;
      return `${programOf(event)} started by ${parent}`;
    },
  },
};
