import type { IntentModel, ProcessRole, Source } from '../../model/index.ts';
import { DEFAULT_SHELL, processesOf } from '../common/command.ts';
import { addListen, addProcesses } from '../common/model-builder.ts';
import { child, intOf, invalid, isPresent, listOf, mapOf, portOf, report, sourceOf, stringOf, stringsOf, type Context, type Node } from './node.ts';
import type { PortItem } from './ports.ts';

/** A Mesos command (`{shell}` or `{argv}`) as the argv it runs; a shell command runs under `/bin/sh -c`. */
export function mesosCommand(ctx: Context, command: Node): { argv: string[]; shell?: string } | undefined {
  if (!mapOf(ctx, command)) return undefined;
  const shell = stringOf(ctx, child(command, 'shell'));
  if (shell !== undefined && shell.trim() !== '') return { argv: [...DEFAULT_SHELL, shell], shell };
  const argv = stringsOf(ctx, child(command, 'argv'));
  if (argv && argv.length > 0) return { argv };
  report(ctx, 'TN007', 'command needs a shell string or an argv list; ignored', command);
  return undefined;
}

function runs(model: IntentModel, argv: readonly string[], role: ProcessRole, source: Source, user: string | undefined): void {
  addProcesses(model, processesOf(argv, role, [source], user));
}

function listens(model: IntentModel, item: PortItem | undefined, port: number | undefined, source: Source): void {
  const target = item?.port ?? port;
  if (target === undefined) return;
  addListen(model, { port: target, protocol: 'tcp', ...(item?.name !== undefined && { name: item.name }), sources: [source] });
}

// Marathon reads a check with neither port nor portIndex as portIndex 0 when the app has ports.
function appCheckPort(ctx: Context, check: Node, ports: ReadonlyArray<PortItem | undefined>, what: string): { item?: PortItem; port?: number; node: Node } {
  const portNode = child(check, 'port');
  const port = portOf(ctx, portNode);
  if (port !== undefined) return { port, node: portNode };
  const indexNode = child(check, 'portIndex');
  if (!isPresent(indexNode)) return { ...(ports[0] && { item: ports[0] }), node: check };
  const index = intOf(ctx, indexNode, 0, 65535);
  if (index === undefined) return { node: indexNode };
  if (index >= ports.length) {
    report(ctx, 'TN007', `${what} portIndex ${index} points past the ${ports.length} port(s) the app declares; ignored`, indexNode);
    return { node: indexNode };
  }
  return { ...(ports[index] && { item: ports[index] }), node: indexNode };
}

const HEALTH_PROTOCOLS = new Set(['HTTP', 'HTTPS', 'TCP', 'COMMAND', 'MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP']);

/**
 * An app's `healthChecks`, `readinessChecks` and `check`: a COMMAND health check
 * (run by `/bin/sh -c` in the task's container) adds its processes; a network check
 * confirms the port it aims at, by `port`, `portIndex` or `portName`.
 */
export function applyAppChecks(ctx: Context, model: IntentModel, app: Node, ports: ReadonlyArray<PortItem | undefined>, user: string | undefined): void {
  for (const check of listOf(ctx, child(app, 'healthChecks'))) {
    if (!mapOf(ctx, check)) continue;
    const protocolNode = child(check, 'protocol');
    const protocol = isPresent(protocolNode) ? stringOf(ctx, protocolNode)?.toUpperCase() : 'HTTP';
    if (protocol === undefined) continue;
    if (!HEALTH_PROTOCOLS.has(protocol)) {
      invalid(ctx, protocolNode, 'HTTP, HTTPS, TCP, COMMAND, MESOS_HTTP, MESOS_HTTPS or MESOS_TCP');
      continue;
    }
    if (protocol === 'COMMAND') {
      const commandNode = child(check, 'command', 'value');
      const command = stringOf(ctx, commandNode);
      if (command === undefined || command.trim() === '') report(ctx, 'TN007', 'a COMMAND health check needs command.value; ignored', check);
      else runs(model, [...DEFAULT_SHELL, command], 'healthcheck', sourceOf(commandNode, 'the COMMAND health check runs this'), user);
      continue;
    }
    const target = appCheckPort(ctx, check, ports, 'health check');
    listens(model, target.item, target.port, sourceOf(target.node, `the ${protocol} health check connects to this port`));
  }

  for (const check of listOf(ctx, child(app, 'readinessChecks'))) {
    if (!mapOf(ctx, check)) continue;
    const nameNode = child(check, 'portName');
    const name = isPresent(nameNode) ? stringOf(ctx, nameNode) : 'http-api';
    if (name === undefined) continue;
    const item = ports.find((p) => p?.name === name);
    if (item) listens(model, item, undefined, sourceOf(isPresent(nameNode) ? nameNode : check, 'the readiness check connects to this port'));
    else report(ctx, 'TN007', `readiness check portName ${JSON.stringify(name)} names no port of the app; ignored`, isPresent(nameNode) ? nameNode : check);
  }

  const check = child(app, 'check');
  if (!mapOf(ctx, check)) return;
  for (const kind of ['http', 'tcp']) {
    const action = child(check, kind);
    if (!mapOf(ctx, action)) continue;
    const target = appCheckPort(ctx, action, ports, 'check');
    listens(model, target.item, target.port, sourceOf(target.node, `the ${kind} check connects to this port`));
  }
  const command = child(check, 'exec', 'command');
  const found = isPresent(command) ? mesosCommand(ctx, command) : undefined;
  if (found) runs(model, found.argv, 'probe', sourceOf(command, 'the check runs this'), user);
}

/** A pod container's `healthCheck` or `check`: by endpoint name, or a command. */
export function applyPodCheck(ctx: Context, model: IntentModel, check: Node, endpoints: ReadonlyArray<PortItem | undefined>, role: ProcessRole, user: string | undefined): void {
  if (!mapOf(ctx, check)) return;
  const what = role === 'healthcheck' ? 'health check' : 'check';
  for (const kind of ['http', 'tcp']) {
    const action = child(check, kind);
    if (!mapOf(ctx, action)) continue;
    const nameNode = child(action, 'endpoint');
    const name = stringOf(ctx, nameNode);
    if (name === undefined) continue;
    const item = endpoints.find((e) => e?.name === name);
    if (item) listens(model, item, undefined, sourceOf(nameNode, `the ${kind} ${what} connects to this endpoint`));
    else report(ctx, 'TN007', `${what} endpoint ${JSON.stringify(name)} names no endpoint of the container; ignored`, nameNode);
  }
  const command = child(check, 'exec', 'command');
  const found = isPresent(command) ? mesosCommand(ctx, command) : undefined;
  if (found) runs(model, found.argv, role, sourceOf(command, `the ${what} runs this`), user);
}
