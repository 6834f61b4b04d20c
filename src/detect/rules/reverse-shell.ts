import { argvIncludes, commandLine, SHELLS, type Rule } from '../rule.ts';

/** Programs that hand a shell to a socket with these arguments. */
const RELAYS: ReadonlySet<string> = new Set(['nc', 'ncat', 'netcat', 'socat', 'telnet']);

export const reverseShell: Readonly<Rule> = {
  id: 'reverse-shell',
  title: 'Reverse shell',
  severity: 'critical',
  technique: { id: 'T1059.004', name: 'Unix Shell' },
  kinds: ['exec', 'connect'],
  needsModel: false,
  description: 'A shell the model does not allow that connects out, or a shell or relay started with its input and output on a socket (`bash -i >& /dev/tcp/…`, `nc -e /bin/sh`, `socat exec:…`). A shell that is the container\'s own program (an entrypoint script) has its connections judged by its model instead.',
  detect: {
    connect(event, context) {
      const n = event.network;
      if (n?.protocol !== 'tcp' || n.remoteAddress === undefined || !SHELLS.has(context.program) || context.knownProcess()) return undefined;
      return `${context.program} connected to ${n.remoteAddress}:${n.remotePort ?? '?'}`;
    },
    exec(event, { program }) {
      if (SHELLS.has(program) && argvIncludes(event, '/dev/') && /\/dev\/(tcp|udp)\//.test(commandLine(event))) return `${program} with a /dev/tcp socket: ${commandLine(event)}`;
      if (RELAYS.has(program) && /(^|\s)(-e|-c|--exec|exec:|system:)/.test(commandLine(event))) return `${program} running a program on a socket: ${commandLine(event)}`;
      return undefined;
    },
  },
};
