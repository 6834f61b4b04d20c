import { finding } from '../../model/index.ts';
import type { Finding, FindingCodeId, IntentModel, Location, Source } from '../../model/index.ts';

/** A risky-intent check over one model; listed in index.ts. */
export interface Check {
  code: FindingCodeId;
  check(model: IntentModel): Finding[];
}

/** The first source with a file and line, else the workload's declaration. */
export function locate(model: IntentModel, sources: readonly Source[] = []): Location | undefined {
  for (const s of [...sources, ...(model.workload?.sources ?? [])]) {
    if (s.file !== undefined && s.line !== undefined) {
      return { file: s.file, line: s.line, ...(s.path !== undefined ? { path: s.path } : s.instruction !== undefined ? { path: s.instruction } : {}) };
    }
  }
  return undefined;
}

/** "container server of Deployment default/frontend", for messages. */
export function describe(model: IntentModel): string {
  const w = model.workload;
  if (!w) return model.image ?? model.id;
  const name = w.namespace !== undefined ? `${w.namespace}/${w.name}` : w.name;
  const container = w.container !== undefined && w.container !== w.name ? `container ${w.container} of ` : '';
  return `${container}${w.kind} ${name}`;
}

/** Whether a workload is a deployed container rather than an image recipe. */
export function isDeployed(model: IntentModel): boolean {
  return model.workload?.kind !== 'Dockerfile';
}

type BooleanSetting = 'privileged' | 'hostNetwork' | 'hostPID' | 'hostIPC' | 'allowPrivilegeEscalation';

/** Whether a model is a Kubernetes workload's container (where an absent security setting takes Kubernetes' default). */
export function isKubernetes(model: IntentModel): boolean {
  const kind = model.workload?.kind;
  return kind !== undefined && kind !== 'Dockerfile' && kind !== 'ComposeService' && !kind.startsWith('Marathon');
}

/**
 * A check that fires when a boolean security setting is declared true. A
 * pod's setting (`podLevel`: its host namespaces) is said of the workload,
 * once for all its containers.
 */
export function whenTrue(code: FindingCodeId, setting: BooleanSetting, says: string, podLevel = false): Check {
  return {
    code,
    check(model) {
      const flag = model.security[setting];
      const location = flag?.value === true ? locate(model, flag.sources) : undefined;
      const who = podLevel && model.workload !== undefined ? describeWorkload(model) : describe(model);
      return location ? [finding(code, `${who} ${says}`, location, model.id)] : [];
    },
  };
}

/** "Deployment default/frontend": the workload without its container. */
function describeWorkload(model: IntentModel): string {
  const w = model.workload!;
  return `${w.kind} ${w.namespace !== undefined ? `${w.namespace}/${w.name}` : w.name}`;
}
