import { LAUNCHERS, SHELLS, type Rule } from '../rule.ts';

export const shellFromServer: Readonly<Rule> = {
  id: 'shell-from-server',
  title: 'Shell started by a server process',
  severity: 'critical',
  technique: { id: 'T1059.004', name: 'Unix Shell' },
  kinds: ['exec'],
  needsModel: false,
  description: 'A shell whose parent is the container\'s application (not the runtime, an init or another shell), and which the model does not allow: the classic sign of command injection or a web shell.',
  detect: {
    exec(event, context) {
      if (!SHELLS.has(context.program)) return undefined;
      const parent = context.ancestors[0] ?? event.process?.parent?.name;
      if (parent === undefined || SHELLS.has(parent) || LAUNCHERS.has(parent) || context.knownProcess()) return undefined;
      return `${context.program} started by ${parent}`;
    },
  },
};
