import type { Check, Rule } from '../rule.ts';

const RUNTIME_SOCKETS = /^\/(var\/)?run\/(docker\.sock|containerd\/containerd\.sock|crio\/crio\.sock|podman\/podman\.sock)$/;
const TOKENS = /^\/(var\/)?run\/secrets\/kubernetes\.io\/serviceaccount\/(token|\.\.data\/token)$/;

const opened: Check = (event, context) => {
  const path = event.file?.path;
  // a first look by the second letter: only /var/run and /run hold these
  const second = path?.charCodeAt(1);
  if (path === undefined || !((second === 0x76 /* v */ && path.startsWith('/var/run/')) || (second === 0x72 /* r */ && path.startsWith('/run/')))) return undefined;
  const what = RUNTIME_SOCKETS.test(path) ? 'opened' : TOKENS.test(path) ? 'read' : undefined;
  return what === undefined || context.knownProcess() ? undefined : `${context.program} ${what} ${path}`;
};

export const runtimeSocketOrToken: Readonly<Rule> = {
  id: 'runtime-socket-or-token',
  title: 'Container runtime socket or service-account token used by an unexpected program',
  severity: 'critical',
  technique: { id: 'T1528', name: 'Steal Application Access Token' },
  kinds: ['open', 'write', 'connect'],
  needsModel: false,
  description: 'The Docker, containerd or CRI-O socket gives the host; a Kubernetes service-account token gives the cluster\'s API. Either, opened by a program the model does not allow, is someone reaching further than the container.',
  detect: {
    open: opened,
    write: opened,
    connect: opened,
  },
};
