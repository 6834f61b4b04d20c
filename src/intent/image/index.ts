import { blocksForPackages, NODE_SYSCALL_MAPS } from '../../knowledge/index.ts';
import {
  emptyModel, finding, type Finding, type ImageContents, type IntentModel, type ProcessEntry, type ProcessRole, type Protocol, type Source,
} from '../../model/index.ts';
import { addListen, addMount, addProcesses, addSyscalls, addWritable, mergeModel } from '../common/model-builder.ts';
import { imageAppIntent, type SourceTree } from '../node/index.ts';
import { MergedFilesystem } from './filesystem.ts';
import { parseOsRelease, readPackages } from './packages.ts';
import { programsOfCommand, type FoundProgram, type ProgramLookup } from './programs.ts';
import { append } from '../../append.ts';

export { MergedFilesystem } from './filesystem.ts';
export { parseOsRelease, dpkgPackages, apkDatabase } from './packages.ts';
export { findProgram, programsOfCommand, DEFAULT_PATH } from './programs.ts';
export { joinImages, canonicalImageName } from './join.ts';

type Executable = NonNullable<IntentModel['inventory']>['executables'][number];

export interface ImageIntent {
  model: IntentModel;
  findings: Finding[];
  /** Names the image is known by (tags, digests), for joining it to manifests that name it. */
  names: string[];
}

/** The reference without its transport, as a manifest would name the image. */
function imageName(contents: ImageContents): string {
  const given = contents.reference.slice(contents.reference.indexOf(':') + 1);
  if (contents.transport === 'docker-engine' || contents.transport === 'containerd' || contents.transport === 'containers-storage' || contents.transport === 'registry') return given;
  return contents.repoTags[0] ?? given;
}

/**
 * What an image is meant to do, from its content alone: its executables with
 * hashes, packages and OS; the programs its entrypoint and healthcheck run,
 * resolved through PATH and links; ports, volumes and user from its config;
 * and what its known building blocks do by default.
 */
export function imageIntent(contents: ImageContents): ImageIntent {
  const fs = new MergedFilesystem(contents.layers);
  const file = contents.reference;
  const findings: Finding[] = contents.layers.flatMap((layer) => layer.warnings.map((w) => finding('TN016', w, { file, line: 1 })));
  const model = emptyModel(contents.id, { image: imageName(contents) });
  const config = contents.config.config ?? {};
  const createdBy = layerHistory(contents);
  const imageSource = (detail: string, extra: Partial<Source> = {}): Source => ({ kind: 'image', file, detail, ...extra });

  const { packages, owners } = readPackages(fs);
  const executables = inventory(fs, owners);
  model.inventory = {
    packages,
    executables,
    layers: contents.layers.map((layer, i) => ({
      diffId: layer.diffId,
      ...(createdBy[i] !== undefined && { createdBy: createdBy[i] }),
      executables: layer.entries.filter((e) => e.sha256 !== undefined).length,
    })),
  };
  const osRelease = fs.read('/etc/os-release') ?? fs.read('/usr/lib/os-release');
  const os = osRelease === undefined ? undefined : parseOsRelease(osRelease);
  if (os !== undefined) model.os = os;

  const env = new Map((config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as const));
  const lookup: ProgramLookup = { env, workingDir: config.WorkingDir || '/' };
  const user = config.User || undefined;
  if (user !== undefined) model.security.user = { value: user, sources: [imageSource(`USER ${user} in the image config`)] };

  const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  const run = (command: string[], role: ProcessRole, why: string) => {
    const { found, missing } = programsOfCommand(fs, command, lookup, why);
    addProcesses(model, found.map((p, i) => processEntry(p, role, i === 0 ? command : undefined, user, createdBy, contents, imageSource)));
    for (const name of missing) {
      findings.push(finding('TN017', `${why} runs "${name}", which is not an executable of the image (PATH ${env.get('PATH') ?? 'default'})`, { file, line: 1 }));
    }
  };
  if (argv.length > 0) run(argv, 'main', 'the entrypoint');
  const test = config.Healthcheck?.Test ?? [];
  if (test[0] === 'CMD') run(test.slice(1), 'healthcheck', 'the healthcheck');
  if (test[0] === 'CMD-SHELL' && test[1] !== undefined) run(['/bin/sh', '-c', test[1]], 'healthcheck', 'the healthcheck');

  for (const key of Object.keys(config.ExposedPorts ?? {})) {
    const match = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/.exec(key);
    if (!match) continue;
    const port = Number(match[1]);
    if (port > 65535) continue;
    const endPort = match[2] === undefined ? undefined : Number(match[2]);
    addListen(model, {
      port,
      ...(endPort !== undefined && endPort > port && endPort <= 65535 && { endPort }),
      protocol: (match[3] ?? 'tcp') as Protocol,
      sources: [imageSource(`EXPOSE ${key} in the image config`)],
    });
  }
  for (const path of Object.keys(config.Volumes ?? {})) {
    addMount(model, { path, type: 'volume', readOnly: false, sources: [imageSource(`VOLUME ${path} in the image config`)] });
  }

  // a Node.js app the entrypoint runs: what its code does, from the image's own copy of it
  if (argv.length > 0) {
    const app = imageAppIntent(imageTree(fs), { argv, workdir: lookup.workingDir, source: imageSource('the entrypoint') });
    if (app !== undefined && app.report.entries.length > 0) {
      mergeModel(model, app.model);
      append(findings, app.findings.map((f) => ({ ...f, model: model.id })));
    }
  }

  applyKnowledge(model, executables);
  applyRuntimeKnowledge(model);
  return { model, findings, names: [...contents.repoTags, ...contents.repoDigests, imageName(contents), contents.id] };
}

/** Every executable file, and every link that resolves to one, with its package and layer. */
function inventory(fs: MergedFilesystem, owners: ReadonlyMap<string, string>): Executable[] {
  const out: Executable[] = [];
  for (const merged of fs.list()) {
    const { entry } = merged;
    let target = merged;
    let real = entry.path;
    if (entry.type === 'symlink') {
      const resolved = fs.resolve(entry.path);
      const found = resolved === undefined ? undefined : fs.get(resolved);
      if (found === undefined) continue;
      target = found;
      real = resolved!;
    }
    const { sha256, size, format, interpreter } = target.entry;
    if (target.entry.type !== 'file' || sha256 === undefined) continue;
    const owner = owners.get(entry.path) ?? owners.get(real);
    out.push({
      path: entry.path,
      sha256,
      size,
      ...(format !== undefined && { format }),
      ...(interpreter !== undefined && { interpreter }),
      ...(real !== entry.path && { target: real }),
      ...(owner !== undefined && { package: owner }),
      layer: fs.layerOf(merged).diffId,
    });
  }
  return out;
}

/** The build step behind each layer: history entries that made no layer are skipped. */
function layerHistory(contents: ImageContents): Array<string | undefined> {
  const steps = (contents.config.history ?? []).filter((h) => !h.empty_layer);
  if (steps.length !== contents.layers.length) return contents.layers.map(() => undefined);
  return steps.map((h) => h.created_by?.replace(/^\/bin\/sh -c #\(nop\)\s+/, '').trim() || h.comment || undefined);
}

function processEntry(
  program: FoundProgram,
  role: ProcessRole,
  argv: string[] | undefined,
  user: string | undefined,
  createdBy: Array<string | undefined>,
  contents: ImageContents,
  imageSource: (detail: string, extra?: Partial<Source>) => Source,
): ProcessEntry {
  const layerIndex = contents.layers.findIndex((l) => l.diffId === program.layer);
  const instruction = createdBy[layerIndex];
  return {
    path: program.path,
    ...(argv !== undefined && { argv }),
    ...(program.entry.sha256 !== undefined && { sha256: program.entry.sha256 }),
    ...(program.entry.interpreter !== undefined && { interpreter: program.entry.interpreter }),
    ...(user !== undefined && { user }),
    role,
    sources: [imageSource(`${program.why}: "${program.name}" found by ${program.how}`, {
      layer: program.layer,
      ...(program.entry.sha256 !== undefined && { sha256: program.entry.sha256 }),
      ...(instruction !== undefined && { instruction }),
    })],
  };
}

/**
 * A program the image runs that is a language runtime Tenet measured brings
 * the syscalls the runtime makes of itself, whatever the code does: for
 * Node.js, its start-up, event loop, threads and garbage collector (the
 * newest measured version's: the image's own version is not read). They
 * would otherwise show up one by one as the collector or a thread needs them,
 * long after a learning window.
 */
function applyRuntimeKnowledge(model: IntentModel): void {
  if (!model.processes.some((p) => p.path.split('/').pop() === 'node')) return;
  const map = NODE_SYSCALL_MAPS.at(-1)!;
  addSyscalls(model, map.baseline, [{
    kind: 'knowledge',
    detail: `the image runs Node.js: the runtime's own syscalls (measured on Node.js ${map.node}, ${map.arch}: start-up, event loop, threads and garbage collector)`,
    reference: `syscall map measured with ${map.tracer}`,
  }]);
}

/** What the image's known building blocks do by default, with the reference for each fact. */
function applyKnowledge(model: IntentModel, executables: readonly Executable[]): void {
  const inventory = model.inventory!;
  for (const { block, because } of blocksForPackages(inventory.packages, executables.map((e) => e.path))) {
    const source = (what: string, reference: string): Source => ({
      kind: 'knowledge',
      detail: `${block.name} ${what} by default (the image has ${because})`,
      reference,
    });
    for (const listen of block.listen) {
      addListen(model, {
        port: listen.port,
        protocol: listen.protocol,
        ...(listen.name !== undefined && { name: listen.name }),
        sources: [source(`listens on ${listen.port}/${listen.protocol}`, listen.reference)],
      });
    }
    for (const write of block.writes) addWritable(model, write.path, [source(`writes ${write.path}`, write.reference)]);
    const spawned = block.spawns.filter((s) => executables.some((e) => e.path === s.path));
    addProcesses(model, spawned.map((s) => ({ path: s.path, role: 'helper' as const, sources: [source(`runs ${s.path}: ${s.why}`, s.reference)] })));
  }
}

/** The image's files as an app's source tree: folders, files, and the content of the sources read. */
function imageTree(fs: MergedFilesystem): SourceTree {
  const typeOf = (path: string) => {
    const real = fs.resolve(path);
    return real === undefined ? undefined : fs.get(real)?.entry.type;
  };
  return { read: (path) => fs.read(path), isFile: (path) => typeOf(path) === 'file', isDirectory: (path) => typeOf(path) === 'dir', list: (path) => fs.namesIn(path) };
}
