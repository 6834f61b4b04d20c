import { posix } from 'node:path';
import { NODE_SYSCALL_MAPS, nodeSyscallMap, type NodeSyscallMap } from '../../knowledge/index.ts';
import { finding, type CodeReport, type Finding, type IntentModel } from '../../model/index.ts';
import { combineEntrypoint } from '../common/command.ts';
import { mergeModel } from '../common/model-builder.ts';
import type { DockerfileAnalysis } from '../dockerfile/index.ts';
import { scriptOf, type AppCommand } from './entries.ts';
import { codeIntent, type CodeIntent } from './intent.ts';
import type { SourceTree } from './resolve.ts';
import { append } from '../../append.ts';

/** A folder holding a Node.js app (its package.json), and how to read its files. */
export interface AppInput {
  dir: string;
  tree: SourceTree;
}

export interface AppsOptions {
  /** The Node.js version the apps run on, when the user says it; else the Dockerfile's `FROM node:N`, else the newest map. */
  node?: string;
  /** The architecture the containers run on (Node's names: x64, arm64). */
  arch?: string;
}

/** `node:24-bookworm-slim` → `24`; `docker.io/library/node:22.3.0` → `22.3.0`. */
function nodeVersionOfImage(image: string | undefined): string | undefined {
  const match = image === undefined ? null : /(?:^|\/)node:v?(\d+(?:\.\d+){0,2})/.exec(image);
  return match?.[1];
}

function mapFor(version: string | undefined, arch: string, where: string, findings: Finding[]): NodeSyscallMap {
  const newest = NODE_SYSCALL_MAPS.find((m) => m.arch === arch) ?? NODE_SYSCALL_MAPS[0]!;
  if (version === undefined) return newest;
  const found = nodeSyscallMap(version, arch);
  if (found !== undefined) return found;
  findings.push(finding('TN023', `No syscall map for Node.js ${version} on ${arch}; used Node.js ${newest.node} on ${newest.arch}`, { file: where, line: 1 }));
  return newest;
}

/**
 * The code intent of each app. An app whose folder holds a Dockerfile of the
 * same analysis is that image's code: its intent merges into the Dockerfile's
 * model, and the Dockerfile's command names the entry. Other apps get a model
 * of their own.
 */
export function analyzeApps(apps: readonly AppInput[], dockerfiles: readonly DockerfileAnalysis[], options: AppsOptions = {}) {
  const models: IntentModel[] = [];
  const reports: CodeReport[] = [];
  const findings: Finding[] = [];
  for (const { dir, tree } of apps) {
    const dockerfile = dockerfiles.find((d) => d.model.workload !== undefined && posix.dirname(d.model.workload.name) === dir);
    const config = dockerfile?.config;
    const main = config && combineEntrypoint(config.entrypoint, config.cmd, config.shell);
    const map = mapFor(options.node ?? nodeVersionOfImage(config?.baseImage), options.arch ?? 'x64', posix.join(dir, 'package.json'), findings);
    const command = main && { argv: main.argv, ...(config?.workdir !== undefined && { workdir: config.workdir }), source: main.sources[0] ?? { kind: 'declared' as const } };
    const result = codeIntent(tree, dir, { map, ...(command && { command }) });
    append(findings, result.findings);
    if (dockerfile !== undefined && result.report.entries.length > 0) {
      mergeModel(dockerfile.model, result.model);
      result.report.model = dockerfile.model.id;
      for (const f of result.findings) f.model = dockerfile.model.id;
    } else {
      models.push(result.model);
    }
    reports.push(result.report);
  }
  return { models, reports, findings };
}

/**
 * The Node.js app an image's command runs (`node server.js` in its working
 * folder), read from the image's own files: its code intent, or undefined
 * when the command runs no script of the image. The app's folder is the
 * script's nearest with a package.json.
 */
export function imageAppIntent(tree: SourceTree, command: AppCommand & { workdir: string }, options: AppsOptions = {}): CodeIntent | undefined {
  const script = scriptOf(command.argv);
  if (script === undefined) return undefined;
  const path = posix.resolve(command.workdir, script);
  if (!tree.isFile(path)) return undefined;
  let dir = posix.dirname(path);
  for (let up = dir; ; up = posix.dirname(up)) {
    if (tree.isFile(posix.join(up, 'package.json'))) {
      dir = up;
      break;
    }
    if (up === '/') break;
  }
  const findings: Finding[] = [];
  // the app's folder is where the image has it: the script is named by its path there
  const argv = command.argv.map((word) => (word === script ? path : word));
  const result = codeIntent(tree, dir, { map: mapFor(options.node, options.arch ?? 'x64', posix.join(dir, 'package.json'), findings), command: { argv, workdir: dir, source: command.source }, wholePaths: true });
  result.findings.unshift(...findings);
  return result;
}
