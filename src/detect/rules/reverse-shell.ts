import { commandLine, programOf, SHELLS, type Rule } from '../rule.ts';

/** Programs that hand a shell to a socket with these arguments. */
const RELAYS: ReadonlySet<string> = new Set(['nc', 'ncat', 'netcat', 'socat', 'telnet']);

export const reverseShell: Rule = {
  id: 'reverse-shell',
  title: 'Reverse shell',
  severity: 'critical',
  technique: { id: 'T1059.004', name: 'Unix Shell' },
  kinds: ['exec', 'connect'],
  needsModel: false,
  description: 'A shell the model does not allow that connects out, or a shell or relay started with its input and output on a socket (`bash -i >& /dev/tcp/…`, `nc -e /bin/sh`, `socat exec:…`). A shell that is the container\'s own program (an entrypoint script) has its connections judged by its model instead.',
  detect(event, { knownProcess }) {
    const program = programOf(event);
    if (event.kind === 'connect' && SHELLS.has(program) && event.network?.protocol === 'tcp' && event.network.remoteAddress !== undefined && !knownProcess()) {
      return `${program} connected to ${event.network.remoteAddress}:${event.network.remotePort ?? '?'}`;
    }
    if (event.kind !== 'exec') return undefined;
    if (SHELLS.has(program) && /\/dev\/(tcp|udp)\//.test(commandLine(event))) return `${program} with a /dev/tcp socket: ${commandLine(event)}`;
    if (RELAYS.has(program) && /(^|\s)(-e|-c|--exec|exec:|system:)/.test(commandLine(event))) return `${program} running a program on a socket: ${commandLine(event)}`;
    return undefined;
  },
};
