// The deployment files as users take them: the Kubernetes manifests validated
// against the Kubernetes API's schemas, the Helm chart's values against its
// schema and its templates against its values, and the defender's privileges
// the same everywhere and explained in deploy/README.md.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parse, parseAllDocuments } from 'yaml';
import { DEFENDER_CAPABILITIES } from '../../deploy/kubernetes/manifests.ts';
import { FIXTURES } from '../fixtures.ts';

const deploy = (path: string) => fileURLToPath(new URL(`../../deploy/${path}`, import.meta.url));
const read = (path: string) => readFileSync(deploy(path), 'utf8');

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; spec?: Record<string, unknown> };
const KINDS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace, 'v1/ServiceAccount': ServiceAccount, 'v1/PersistentVolumeClaim': PersistentVolumeClaim, 'v1/Service': Service,
  'apps/v1/Deployment': Deployment, 'apps/v1/DaemonSet': DaemonSet,
};

function manifests(file: string): Manifest[] {
  return parseAllDocuments(read(`kubernetes/${file}`)).map((d) => {
    assert.deepEqual(d.errors, [], file);
    return d.toJS() as Manifest;
  });
}

test('the Kubernetes manifests are objects the Kubernetes API accepts', () => {
  const files = readdirSync(deploy('kubernetes')).filter((f) => f.endsWith('.yaml')).sort();
  assert.deepEqual(files, ['console-postgres.yaml', 'tenet.yaml']);
  const kinds = files.flatMap((file) => manifests(file).map((m) => {
    const model = KINDS[`${m.apiVersion}/${m.kind}`];
    assert.ok(model !== undefined, `${file}: ${m.apiVersion} ${m.kind} is not a kind this test knows`);
    new model(m as never).validate();
    return `${file}: ${m.kind}/${m.metadata.name}`;
  }));
  assert.deepEqual(kinds, [
    'console-postgres.yaml: Deployment/tenet-console',
    'tenet.yaml: Namespace/tenet', 'tenet.yaml: ServiceAccount/tenet-console', 'tenet.yaml: PersistentVolumeClaim/tenet-console-data',
    'tenet.yaml: Deployment/tenet-console', 'tenet.yaml: Service/tenet-console', 'tenet.yaml: ServiceAccount/tenet-defender', 'tenet.yaml: DaemonSet/tenet-defender',
  ]);
  // a schema violation is caught: the validation can fail
  const broken = manifests('tenet.yaml').find((m) => m.kind === 'DaemonSet')!;
  (broken.spec as { template: { spec: { hostPID: unknown } } }).template.spec.hostPID = 'yes';
  assert.throws(() => new DaemonSet(broken as never).validate(), /hostPID/);
});

test('the compose file follows the compose specification', () => {
  // the file names its draft by an address Ajv does not know: it is draft-07, Ajv's own
  const { $schema: _, ...schema } = JSON.parse(readFileSync(join(FIXTURES, 'compose/schema/compose-spec.json'), 'utf8')) as { $schema: string };
  const validate = new Ajv({ strict: false, validateFormats: false }).compile(schema);
  const compose = parse(read('compose.yaml')) as { services: Record<string, Record<string, unknown>> };
  assert.ok(validate(compose), JSON.stringify(validate.errors));
  assert.deepEqual(Object.keys(compose.services), ['console', 'defender']);
  assert.equal(validate({ ...compose, services: { ...compose.services, defender: { ...compose.services.defender, cap_ad: [] } } }), false, 'a misspelt key is refused');
});

test('the defender has the same privileges in Compose, Kubernetes and Helm, each explained; the console none', () => {
  const daemonSet = new DaemonSet(manifests('tenet.yaml').find((m) => m.kind === 'DaemonSet') as never);
  const pod = daemonSet.spec!.template.spec!;
  const container = pod.containers[0]!;
  assert.deepEqual([pod.hostPID, pod.hostNetwork, pod.hostIPC, pod.automountServiceAccountToken, container.securityContext?.privileged, container.securityContext?.capabilities?.drop],
    [true, undefined, undefined, false, false, ['ALL']]);
  const kubernetes = container.securityContext?.capabilities?.add ?? [];
  const compose = (parse(read('compose.yaml')) as { services: { defender: { cap_add: string[] } } }).services.defender.cap_add;
  const helm = (parse(read('helm/tenet/values.yaml')) as { defender: { capabilities: string[] } }).defender.capabilities;
  const explained = [...read('README.md').matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual([kubernetes, compose, helm, explained], [[...DEFENDER_CAPABILITIES], [...DEFENDER_CAPABILITIES], [...DEFENDER_CAPABILITIES], [...DEFENDER_CAPABILITIES]]);
  assert.deepEqual(container.volumeMounts?.map((v) => `${v.mountPath}${v.readOnly === true ? ':ro' : ''}`), [
    '/sys/kernel/tracing', '/sys/fs/cgroup:ro', '/var/lib/tenet', '/etc/tenet/console:ro',
  ], 'no runtime socket: the defender finds the node\'s runtimes by their processes');
  const namespace = manifests('tenet.yaml').find((m) => m.kind === 'Namespace') as unknown as { metadata: { labels: Record<string, string> } };
  assert.equal(namespace.metadata.labels['pod-security.kubernetes.io/enforce'], 'privileged', 'the namespace admits the defender\'s pod under Pod Security admission');

  for (const file of ['tenet.yaml', 'console-postgres.yaml']) {
    const console = new Deployment(manifests(file).find((m) => m.kind === 'Deployment') as never).spec!.template.spec!;
    const c = console.containers[0]!;
    assert.deepEqual([console.securityContext?.runAsNonRoot, c.securityContext?.allowPrivilegeEscalation, c.securityContext?.readOnlyRootFilesystem, c.securityContext?.capabilities], [true, false, true, { drop: ['ALL'] }], file);
  }
});

test('the Helm chart: its values follow its schema, its templates name only values it has, and its blocks close', () => {
  const chart = parse(read('helm/tenet/Chart.yaml')) as Record<string, string>;
  assert.deepEqual([chart.apiVersion, chart.name, chart.version, chart.appVersion], ['v2', 'tenet', '0.1.0', '0.1.0']);
  const values = parse(read('helm/tenet/values.yaml')) as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const valid = ajv.compile(JSON.parse(read('helm/tenet/values.schema.json')) as object);
  assert.ok(valid(values), ajv.errorsText(valid.errors));
  // what the schema refuses: a typo, a short enrollment secret, replicas of zero
  for (const wrong of [{ ...values, consol: {} }, { ...values, secrets: { enrollToken: 'short' } }, { ...values, console: { ...(values.console as object), replicas: 0 } }]) {
    assert.equal(valid(wrong), false, JSON.stringify(wrong).slice(0, 80));
  }

  const templates = readdirSync(deploy('helm/tenet/templates')).filter((f) => f.endsWith('.yaml') || f.endsWith('.tpl') || f.endsWith('.txt'));
  assert.deepEqual(templates.sort(), ['NOTES.txt', '_helpers.tpl', 'console.yaml', 'defender.yaml', 'secret.yaml', 'tls.yaml']);
  const has = (path: string[]) => path.reduce<unknown>((at, key) => (at !== null && typeof at === 'object' && key in at ? (at as Record<string, unknown>)[key] : undefined), values) !== undefined;
  for (const file of templates) {
    const text = read(`helm/tenet/templates/${file}`);
    for (const [, path] of text.matchAll(/\.Values\.([\w.]+)/g)) assert.ok(has(path!.split('.')), `${file}: .Values.${path} is not in values.yaml`);
    const actions = [...text.matchAll(/\{\{-?\s*(?:\/\*[\s\S]*?\*\/\s*)?(\w+)?[\s\S]*?-?\}\}/g)].map((m) => m[1]);
    let depth = 0;
    for (const action of actions) {
      if (action === 'if' || action === 'with' || action === 'range' || action === 'define') depth++;
      if (action === 'end') depth--;
      assert.ok(depth >= 0, `${file}: an end without its block`);
    }
    assert.equal(depth, 0, `${file}: a block is not closed`);
    assert.equal(text.split('{{').length, text.split('}}').length, `${file}: unbalanced {{ }}`);
  }
});
