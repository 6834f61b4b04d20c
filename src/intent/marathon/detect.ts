import { isRecord } from '../document.ts';

type Shape = 'string' | 'number' | 'boolean' | 'list' | 'map';

// Fields only an app definition has, with their JSON type; one of them beside a string id marks an app.
const APP_FIELDS: Record<string, Shape> = {
  cmd: 'string', args: 'list', container: 'map', instances: 'number', cpus: 'number', mem: 'number', disk: 'number', gpus: 'number',
  portDefinitions: 'list', ports: 'list', requirePorts: 'boolean', healthChecks: 'list', readinessChecks: 'list', check: 'map',
  dependencies: 'list', constraints: 'list', fetch: 'list', uris: 'list', executor: 'string', upgradeStrategy: 'map',
  acceptedResourceRoles: 'list', networks: 'list', ipAddress: 'map', residency: 'map', secrets: 'map', backoffSeconds: 'number',
  backoffFactor: 'number', maxLaunchDelaySeconds: 'number', taskKillGracePeriodSeconds: 'number', unreachableStrategy: 'map',
  killSelection: 'string',
};

function hasShape(value: unknown, shape: Shape): boolean {
  if (shape === 'list') return Array.isArray(value);
  if (shape === 'map') return isRecord(value);
  return typeof value === shape;
}

const MAX_DEPTH = 64;

// Kubernetes objects, Compose files and JSON Schemas (Marathon's own included) are never Marathon definitions.
function isForeign(value: Record<string, unknown>): boolean {
  return ['apiVersion', 'kind', '$schema', 'services', 'openapi', 'swagger'].some((key) => Object.hasOwn(value, key));
}

function hasId(value: Record<string, unknown>): boolean {
  return typeof value.id === 'string' && value.id.trim() !== '';
}

function isGroupShaped(value: Record<string, unknown>): boolean {
  return ['apps', 'groups', 'pods'].some((key) => Array.isArray(value[key]));
}

export function isPodDefinition(value: unknown): boolean {
  if (!isRecord(value) || isForeign(value) || !hasId(value) || !Array.isArray(value.containers)) return false;
  return value.containers.some((c) => isRecord(c) && typeof c.name === 'string' && (isRecord(c.resources) || isRecord(c.image) || isRecord(c.exec)));
}

export function isAppDefinition(value: unknown): boolean {
  if (!isRecord(value) || isForeign(value) || !hasId(value) || isGroupShaped(value)) return false;
  return Object.entries(APP_FIELDS).some(([key, shape]) => Object.hasOwn(value, key) && hasShape(value[key], shape));
}

/** A group, a `/v2/groups` answer, or a `/v2/apps` answer (`{apps: […]}`). */
export function isGroupDefinition(value: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH || !isRecord(value) || isForeign(value) || !isGroupShaped(value)) return false;
  if (value.id !== undefined && value.id !== null && typeof value.id !== 'string') return false;
  const items = (key: string): unknown[] => (Array.isArray(value[key]) ? value[key] : []);
  if (items('apps').some(isAppDefinition) || items('pods').some(isPodDefinition)) return true;
  if (items('groups').some((g) => isGroupDefinition(g, depth + 1))) return true;
  // An empty group says so only by its absolute id.
  const empty = ['apps', 'groups', 'pods'].every((key) => items(key).length === 0);
  return empty && typeof value.id === 'string' && value.id.startsWith('/');
}

/**
 * Whether a parsed JSON or YAML document is a Marathon definition: an app, a list of
 * apps, pods or groups, a group (nested groups included), a `/v2/apps` answer
 * (`{apps: […]}`), a single-app answer (`{app: {…}}`) or a pod. Kubernetes objects,
 * Compose files and JSON Schemas are not.
 */
export function isMarathonDocument(value: unknown): boolean {
  if (Array.isArray(value)) return value.some((item) => isAppDefinition(item) || isPodDefinition(item) || isGroupDefinition(item));
  if (!isRecord(value) || isForeign(value)) return false;
  if (isGroupDefinition(value) || isPodDefinition(value) || isAppDefinition(value)) return true;
  return Object.keys(value).length === 1 && isAppDefinition(value.app);
}
