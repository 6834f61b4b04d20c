import type { IntentModel } from '../../model/index.ts';
import { egressAddresses, NO_PROGRAMS, programsOf, targetOf, writablePaths } from './target.ts';

export type FalcoItem =
  | { list: string; items: Array<string | number> }
  | { macro: string; condition: string }
  | { rule: string; desc: string; condition: string; output: string; priority: 'WARNING' | 'NOTICE'; tags: string[] };

const quote = (s: string) => JSON.stringify(s);
const CONTEXT = 'container=%container.name image=%container.image.repository pod=%k8s.pod.name ns=%k8s.ns.name';

/**
 * Falco rules that alert on anything outside one model: a program it does not
 * run, a connection to a peer it does not have, a port it does not listen on,
 * a write outside its writable paths. Self-contained (no macro of Falco's
 * default rules is assumed); containers are selected by pod labels and
 * container name, or by image repository.
 */
export function falcoRules(model: IntentModel): { items: FalcoItem[]; notes: string[] } {
  const target = targetOf(model);
  const id = target.name.replace(/-/g, '_');
  const name = `tenet_${id}`;
  const notes: string[] = [];
  const selection = target.labels !== undefined && target.namespace !== undefined
    ? [`k8s.ns.name = ${quote(target.namespace)}`, ...Object.entries(target.labels).map(([k, v]) => `k8s.pod.label[${k}] = ${quote(v)}`),
      ...(target.container !== undefined ? [`container.name = ${quote(target.container)}`] : [])]
    : target.repository !== undefined ? [`container.image.repository = ${quote(target.repository)}`] : [];
  if (selection.length === 0) return { items: [], notes: [`${model.id}: no rules, neither pod labels nor an image repository to select its containers by`] };
  const items: FalcoItem[] = [{ macro: `${name}_container`, condition: `(${selection.join(' and ')})` }];
  const rule = (what: string, condition: string, output: string, tags: string[]): FalcoItem => ({
    rule: `Tenet ${target.name} ${what}`,
    desc: `${what[0]!.toUpperCase()}${what.slice(1)}: outside Tenet's model ${model.id}`,
    condition: `${name}_container and ${condition}`,
    output: `${what[0]!.toUpperCase()}${what.slice(1)} outside the model (${output} ${CONTEXT})`,
    priority: 'WARNING',
    tags: ['tenet', ...tags],
  });

  const programs = programsOf(model);
  if (!programs.any && programs.paths.length + programs.names.length === 0) notes.push(NO_PROGRAMS);
  if (!programs.any && programs.paths.length + programs.names.length > 0) {
    const allowed = [
      ...(programs.paths.length > 0 ? [`proc.exepath in (${name}_programs)`] : []),
      ...(programs.names.length > 0 ? [`proc.name in (${name}_program_names)`] : []),
    ];
    if (programs.paths.length > 0) items.push({ list: `${name}_programs`, items: programs.paths });
    if (programs.names.length > 0) items.push({ list: `${name}_program_names`, items: programs.names });
    items.push(rule('unexpected program', `evt.type in (execve, execveat) and evt.dir = < and not (${allowed.join(' or ')})`,
      'program=%proc.exepath cmdline=%proc.cmdline parent=%proc.pname', ['process', 'mitre_execution']));
  }

  const egress = egressAddresses(model);
  if (!egress.any) {
    const ips = egress.addresses.filter((a) => !a.includes('/'));
    const nets = egress.addresses.filter((a) => a.includes('/'));
    const allowed = ['fd.sip = "127.0.0.1"', 'fd.sip = "::1"',
      ...(ips.length > 0 ? [`fd.sip in (${ips.map(quote).join(', ')})`] : []),
      ...(nets.length > 0 ? [`fd.snet in (${nets.map(quote).join(', ')})`] : []),
      ...(egress.named.length > 0 ? [`fd.sip.name in (${egress.named.map(quote).join(', ')})`] : [])];
    items.push(rule('unexpected connection', `evt.type = connect and evt.dir = < and (fd.typechar = 4 or fd.typechar = 6) and not (${allowed.join(' or ')})`,
      'connection=%fd.name program=%proc.exepath', ['network', 'mitre_command_and_control']));
  } else notes.push('egress: the model connects to any peer on some port, so connections are not checked');

  const ports = [...new Set(model.network.listen.flatMap((l) => (l.endPort === undefined ? [l.port] : [])))].sort((a, b) => a - b);
  if (model.network.listen.some((l) => l.endPort !== undefined)) notes.push('listen: port ranges are not checked');
  else items.push(rule('unexpected listening port', `evt.type = listen and evt.dir = <${ports.length > 0 ? ` and not fd.sport in (${ports.join(', ')})` : ''}`,
    'port=%fd.sport program=%proc.exepath', ['network', 'mitre_persistence']));

  const writable = writablePaths(model);
  if (!writable.any) {
    const allowed = ['fd.name startswith "/dev/"', 'fd.name startswith "/proc/self/"',
      ...writable.folders.map((f) => `fd.name startswith ${quote(`${f}/`)}`), ...writable.files.map((f) => `fd.name = ${quote(f)}`)];
    items.push(rule('unexpected write', `evt.type in (open, openat, openat2) and evt.dir = < and evt.is_open_write = true and fd.typechar = f and not (${allowed.join(' or ')})`,
      'file=%fd.name program=%proc.exepath', ['filesystem', 'mitre_persistence']));
  } else notes.push('files: the model writes anywhere, so writes are not checked');
  return { items, notes: notes.map((n) => `${model.id} ${n}`) };
}
