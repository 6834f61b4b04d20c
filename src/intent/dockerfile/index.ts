import { emptyModel, finding, type Finding, type IntentModel, type ListenEntry, type Source, type WritableEntry } from '../../model/index.ts';
import { runsAsRoot } from '../checks/tn105-runs-as-root.ts';
import { argvOf, combineEntrypoint, DEFAULT_SHELL, processesOf, type CommandForm } from '../common/command.ts';
import { addProcesses } from '../common/model-builder.ts';
import type { EnvVar } from '../common/peers.ts';
import { readInstructions } from './instructions.ts';
import { buildStages, mergeEntries, type DeclaredCommand, type Stage } from './stages.ts';

/** The runtime intent of a Dockerfile's final stage, shaped like an image config. */
export interface DockerfileConfig {
  /** FROM of the final stage after ARG substitution, followed through stage names to the real base. */
  baseImage?: string;
  entrypoint?: CommandForm;
  cmd?: CommandForm;
  /** The shell of shell-form commands (SHELL, else `/bin/sh -c`). */
  shell: string[];
  user?: { value: string; sources: Source[] };
  exposed: ListenEntry[];
  volumes: WritableEntry[];
  workdir?: string;
  env: EnvVar[];
  stopSignal?: { value: string; sources: Source[] };
  healthcheck?: CommandForm | 'NONE';
  /** Files `COPY --from` brings in from another stage or image (`stage` is the name, index or image as written). */
  copiesFrom: Array<{ stage: string; from: string; to: string; sources: Source[] }>;
  /** ONBUILD triggers of the final stage, as written. */
  onbuild: string[];
}

export interface DockerfileAnalysis {
  model: IntentModel;
  config: DockerfileConfig;
  findings: Finding[];
}

/**
 * The declared intent of a Dockerfile: the final stage's image config and its
 * model (main and healthcheck processes, exposed ports, volumes, user, stop
 * signal), with findings on what Docker would reject and on risky intent.
 * `buildArgs` are the `--build-arg` values; `target` names the stage to build
 * instead of the last one, as `--target` does. Never throws on bad input.
 */
export function analyzeDockerfile(file: string, text: string, buildArgs: Record<string, string> = {}, target?: string): DockerfileAnalysis {
  const { stages, findings } = buildStages(readInstructions(text), file, buildArgs);
  let final = stages.at(-1);
  if (target !== undefined && final !== undefined) {
    const named = stages.find((s) => s.name === target.toLowerCase());
    if (named === undefined) findings.push(finding('TN009', `No stage is named ${target}, the build target; the last stage is modelled`, { file, line: final.from.line ?? 1 }));
    else final = named;
  }
  const config = configOf(final);
  const model = emptyModel(`dockerfile:${file}`, {
    workload: { kind: 'Dockerfile', name: file, sources: final ? [final.from] : [] },
  });
  fillModel(model, config);

  if (final !== undefined) {
    if (config.user === undefined) {
      findings.push(finding('TN106', 'The final stage sets no USER: the image runs as root unless its deployment sets a user', { file, line: final.from.line ?? 1 }, model.id));
    }
    findings.push(...runsAsRoot.check(model));
  }
  // Risky-intent findings (TN1xx) name the model they are about, as the checks' findings do.
  for (const f of findings) if (f.code.startsWith('TN1')) f.model = model.id;
  return { model, config, findings };
}

function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

// A shell-form command declared under another SHELL than the final one keeps its own shell, in exec form.
function settle(declared: DeclaredCommand | undefined, shell: readonly string[]): CommandForm | undefined {
  if (declared === undefined) return undefined;
  const { command } = declared;
  if (command.form === 'shell' && !sameArgv(declared.shell, shell)) {
    return { form: 'exec', argv: argvOf(command, declared.shell), sources: command.sources };
  }
  return command;
}

function configOf(stage: Stage | undefined): DockerfileConfig {
  if (stage === undefined) return { shell: [...DEFAULT_SHELL], exposed: [], volumes: [], env: [], copiesFrom: [], onbuild: [] };
  const c = stage.config;
  const shell = c.shell?.value ?? [...DEFAULT_SHELL];
  const entrypoint = settle(c.entrypoint, shell);
  const cmd = settle(c.cmd, shell);
  return {
    ...(stage.baseImage !== undefined && { baseImage: stage.baseImage }),
    ...(entrypoint !== undefined && { entrypoint }),
    ...(cmd !== undefined && { cmd }),
    shell,
    ...(c.user !== undefined && { user: c.user }),
    exposed: mergeEntries(c.exposed, (e) => `${e.port}-${e.endPort ?? e.port}/${e.protocol}`),
    volumes: mergeEntries(c.volumes, (v) => v.path),
    ...(c.workdir !== undefined && { workdir: c.workdir }),
    env: c.env,
    ...(c.stopSignal !== undefined && { stopSignal: c.stopSignal }),
    ...(c.healthcheck !== undefined && { healthcheck: c.healthcheck }),
    copiesFrom: c.copiesFrom,
    onbuild: c.onbuild,
  };
}

function fillModel(model: IntentModel, config: DockerfileConfig): void {
  const user = config.user?.value;
  const main = combineEntrypoint(config.entrypoint, config.cmd, config.shell);
  if (main) addProcesses(model, processesOf(main.argv, 'main', main.sources, user));
  // Docker runs a shell-form healthcheck with the container's shell, as the same user.
  if (config.healthcheck !== undefined && config.healthcheck !== 'NONE') {
    addProcesses(model, processesOf(argvOf(config.healthcheck, config.shell), 'healthcheck', config.healthcheck.sources, user));
  }
  // The config's lists are already merged; addListen and addWritable would search them once per entry.
  model.network.listen = config.exposed.map((e) => ({ ...e, sources: [...e.sources] }));
  model.filesystem.writable = config.volumes.map((v) => ({ path: v.path, sources: [...v.sources] }));
  if (config.user !== undefined) model.security.user = { value: config.user.value, sources: [...config.user.sources] };
  if (config.stopSignal !== undefined) model.security.stopSignal = { value: config.stopSignal.value, sources: [...config.stopSignal.sources] };
}
