import type { Analysis, Finding, IntentModel, Supermodel } from '../model/index.ts';
import { checkModels } from './checks/index.ts';
import { classify, DEFAULT_MAX_FILE_SIZE, type InputFile } from './classify.ts';
import { analyzeCompose } from './compose/index.ts';
import { analyzeDockerfile } from './dockerfile/index.ts';
import { analyzeKubernetes } from './kubernetes/index.ts';
import { joinImages, type ImageIntent } from './image/index.ts';
import { analyzeMarathon } from './marathon/index.ts';
import { analyzeApps, type AppInput } from './node/index.ts';
import { NO_FILES, type FileLookup } from './types.ts';
import { guarded } from './guarded.ts';
import { append } from '../append.ts';

export { classify, candidateByName, looksLikeDockerfile, DEFAULT_MAX_FILE_SIZE, type InputFile } from './classify.ts';
export { READ_LIMITS } from './document.ts';
export type { FileLookup, FormatResult } from './types.ts';
export { CHECKS } from './checks/index.ts';
export { appGraph, codeIntent, fileUsage, resolveModule, type AppGraph, type AppInput, type SourceTree } from './node/index.ts';
export { splitWords } from './common/command.ts';
export { parseImage } from './common/image-ref.ts';
export { imageIntent, canonicalImageName, MergedFilesystem, type ImageIntent } from './image/index.ts';

export interface AnalyzeOptions {
  /** Files the inputs refer to but that were not given (env files, build Dockerfiles, `extends`). */
  files?: FileLookup;
  /** Variables for Compose interpolation, as the shell would have them. */
  environment?: Record<string, string>;
  maxFileSize?: number;
  /** Images read in the same run: joined to the declared models that run them. */
  images?: readonly ImageIntent[];
  /** Node.js apps whose code is analysed; an app folder's Dockerfile gets its code intent. */
  apps?: readonly AppInput[];
  /** Node.js version and architecture of the apps' syscall map (default: the Dockerfile's `FROM node:N`, else the newest map). */
  node?: string;
  arch?: string;
}

/**
 * Declared intent of a set of files: one model per workload (or Dockerfile), one
 * supermodel per application, and findings on bad input and risky intent.
 * Never throws on bad input; a file that cannot be used is a finding.
 */
export function analyze(inputs: readonly InputFile[], options: AnalyzeOptions = {}): Analysis {
  const classified = classify(inputs, options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE);
  const findings: Finding[] = [...classified.findings];
  const models: IntentModel[] = [];
  const supermodels: Supermodel[] = [];

  const dockerfiles = classified.dockerfiles.map(({ file, text }) => analyzeDockerfile(file, text));
  for (const result of dockerfiles) {
    models.push(result.model);
    append(findings, result.findings);
  }
  const apps = analyzeApps(options.apps ?? [], dockerfiles, options);
  append(models, apps.models);
  append(findings, apps.findings);

  const given = new Map(inputs.map((i) => [i.path, i]));
  const files: FileLookup = {
    read(path) {
      const input = given.get(path);
      if (input) return new TextDecoder().decode(input.content);
      return (options.files ?? NO_FILES).read(path);
    },
  };
  const composeContext = {
    files,
    ...(options.environment !== undefined && { environment: options.environment }),
    dockerfile: (file: string, text: string) => {
      const { config, findings: dockerfileFindings } = analyzeDockerfile(file, text);
      return { ...config, findings: dockerfileFindings };
    },
  };
  const results = [
    guarded('Kubernetes', classified.kubernetes, analyzeKubernetes),
    guarded('Compose', classified.compose, (docs) => analyzeCompose(docs, composeContext)),
    guarded('Marathon', classified.marathon, analyzeMarathon),
  ];
  for (const result of results) {
    append(models, result.models);
    append(supermodels, result.supermodels);
    append(findings, result.findings);
  }

  const joined = joinImages(models, options.images ?? []);
  for (const image of options.images ?? []) append(findings, image.findings);
  uniqueIds(joined);
  append(findings, checkModels(joined));
  return {
    models: joined.sort((a, b) => compare(a.id, b.id)),
    supermodels: supermodels.sort((a, b) => compare(a.app, b.app)),
    findings: sortFindings(dedupe(findings)),
    ...(apps.reports.length > 0 && { apps: apps.reports }),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Models from different formats may share an image digest; later ones get a suffix. */
function uniqueIds(models: IntentModel[]): void {
  const seen = new Map<string, number>();
  for (const model of models) {
    const n = seen.get(model.id) ?? 0;
    seen.set(model.id, n + 1);
    if (n > 0) model.id = `${model.id}#${n + 1}`;
  }
}

function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}\0${f.location.file}\0${f.location.line}\0${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** By file, then line, then code: the order a reader walks the input in. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => compare(a.location.file, b.location.file) || a.location.line - b.location.line || compare(a.code, b.code));
}
export { diffIntent, type DiffDimension, type IntentChange, type IntentDiff } from './diff.ts';
export { intentManifest, readIntentManifest, type IntentManifestFile } from './manifest.ts';
