import { ImageError, isImageInput, readImage } from '../image/index.ts';
import { analyze, imageIntent, sortFindings, type ImageIntent } from '../intent/index.ts';
import { finding, type Analysis, type Finding } from '../model/index.ts';
import { CliError } from './errors.ts';
import { collectInputs, diskFiles } from './inputs.ts';
import { diskTree } from './source-tree.ts';

export interface AnalyzePathsOptions {
  maxFileSize: number;
  verify: boolean;
  node?: string;
}

/**
 * The analysis of what the user named: files and folders (manifests, Dockerfiles,
 * Node.js apps) and images, read from disk, the engine or a registry.
 */
export async function analyzePaths(positionals: readonly string[], options: AnalyzePathsOptions): Promise<Analysis> {
  const imageInputs = positionals.filter(isImageInput);
  const paths = positionals.filter((p) => !isImageInput(p));
  const collected = collectInputs(paths, options.maxFileSize);
  if (imageInputs.length === 0 && collected.inputs.length === 0 && collected.findings.length === 0 && collected.apps.length === 0) {
    throw new CliError('ERR_NO_INPUT', `no YAML, JSON, Dockerfile or package.json found in ${positionals.join(', ')}`);
  }
  const { images, findings: imageFindings } = await readImages(imageInputs, options.verify);
  const tree = diskTree();
  const analysis = analyze(collected.inputs, {
    maxFileSize: options.maxFileSize,
    files: diskFiles(options.maxFileSize),
    environment: environmentOf(process.env),
    images,
    apps: collected.apps.map((dir) => ({ dir, tree })),
    ...(options.node !== undefined && { node: options.node }),
  });
  analysis.findings = sortFindings([...collected.findings, ...imageFindings, ...analysis.findings]);
  return analysis;
}

/** Each image read in turn; one that cannot be read is a finding, and the others are still read. */
async function readImages(inputs: readonly string[], verify: boolean): Promise<{ images: ImageIntent[]; findings: Finding[] }> {
  const images: ImageIntent[] = [];
  const findings: Finding[] = [];
  for (const input of inputs) {
    try {
      images.push(imageIntent(await readImage(input, { verify })));
    } catch (e) {
      if (!(e instanceof ImageError)) throw e;
      findings.push(finding('TN015', e.message, { file: input, line: 1 }));
    }
  }
  return { images, findings };
}

function environmentOf(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
