import { finding, type Finding } from '../model/index.ts';
import { isComposeFile } from './compose/index.ts';
import { isRecord, parseJson, parseYaml, type SourceDocument } from './document.ts';
import { isKubernetesObject } from './kubernetes/index.ts';
import { isMarathonDocument } from './marathon/index.ts';
import { append } from '../append.ts';

/** One file handed to the analyser: its path as the user should see it, and its bytes. */
export interface InputFile {
  path: string;
  content: Uint8Array;
}

export interface Classified {
  dockerfiles: Array<{ file: string; text: string }>;
  kubernetes: SourceDocument[];
  compose: SourceDocument[];
  marathon: SourceDocument[];
  findings: Finding[];
}

export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;

const DOCKERFILE_NAME = /(^|[/\\])((Docker|Container)file([.-][^/\\]*)?|[^/\\]+\.(dockerfile|containerfile))$/i;
const YAML_NAME = /\.ya?ml$/i;
const JSON_NAME = /\.json$/i;

/** Kubernetes kinds the analyser models; other kinds in a file are passed over. */
const MODELLED_KINDS = new Set([
  'Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob',
  'Service', 'ConfigMap', 'NetworkPolicy', 'List',
]);

/**
 * Whether a folder walk should read a file: `yes` for YAML, JSON and Dockerfile
 * names, `sniff` for a name without an extension (read it if it looks like a
 * Dockerfile), `no` for the rest.
 */
export function candidateByName(path: string): 'yes' | 'sniff' | 'no' {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  if (YAML_NAME.test(base) || JSON_NAME.test(base) || DOCKERFILE_NAME.test(path)) return 'yes';
  return base.includes('.') ? 'no' : 'sniff';
}

/** A Dockerfile by content: after comments and blank lines, the first instruction is FROM or ARG. */
export function looksLikeDockerfile(text: string): boolean {
  for (const raw of text.split('\n', 200)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    return /^(FROM|ARG)\s+\S/i.test(line);
  }
  return false;
}

function decode(input: InputFile, maxFileSize: number): { text: string } | { finding: Finding } {
  const location = { file: input.path, line: 1 };
  if (input.content.byteLength > maxFileSize) {
    const mib = (input.content.byteLength / 1048576).toFixed(1);
    return { finding: finding('TN002', `File is ${mib} MiB, over the ${(maxFileSize / 1048576).toFixed(0)} MiB limit; not analysed`, location) };
  }
  const nul = input.content.indexOf(0);
  if (nul !== -1) {
    const line = countLines(input.content, nul);
    return { finding: finding('TN003', 'File holds binary data (a NUL byte); not analysed', { ...location, line }) };
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(input.content);
    return { text };
  } catch {
    return { finding: finding('TN003', 'File is not valid UTF-8 text; not analysed', location) };
  }
}

function countLines(bytes: Uint8Array, end: number): number {
  let line = 1;
  for (let i = 0; i < end; i++) if (bytes[i] === 10) line++;
  return line;
}

/** What a valid document that Tenet does not model is, for the info finding. */
function describeUnmodelled(value: unknown): string {
  if (Array.isArray(value)) return 'a list of unknown items';
  if (!isRecord(value)) return 'a plain value';
  if (typeof value.$schema === 'string') return 'a JSON Schema';
  const apiVersion = typeof value.apiVersion === 'string' ? value.apiVersion : undefined;
  if (apiVersion !== undefined && typeof value.kind === 'string') {
    return value.kind === 'Kustomization' ? 'a Kustomization' : `${value.kind} (${apiVersion})`;
  }
  return 'no known format';
}

/**
 * Sorts the inputs by what they hold, by content and not only by name: Dockerfiles,
 * and the YAML/JSON documents of Kubernetes, Compose and Marathon. Files that cannot
 * be used, or hold nothing to model, become findings.
 */
export function classify(inputs: readonly InputFile[], maxFileSize = DEFAULT_MAX_FILE_SIZE): Classified {
  const out: Classified = { dockerfiles: [], kubernetes: [], compose: [], marathon: [], findings: [] };
  for (const input of inputs) {
    const decoded = decode(input, maxFileSize);
    if ('finding' in decoded) {
      out.findings.push(decoded.finding);
      continue;
    }
    const text = decoded.text.replace(/^\uFEFF/, '');
    const file = input.path;
    if (DOCKERFILE_NAME.test(file) || (!YAML_NAME.test(file) && !JSON_NAME.test(file) && looksLikeDockerfile(text))) {
      out.dockerfiles.push({ file, text });
      continue;
    }
    const json = JSON_NAME.test(file) || (!YAML_NAME.test(file) && /^\s*[[{]/.test(text));
    const parsed = json ? parseJson(file, text) : parseYaml(file, text);
    if (!json && parsed.findings.length > 0 && /\{\{-?\s*[.$A-Za-z"(/]/.test(text)) {
      out.findings.push(finding('TN014', 'A Helm or Go template, not YAML yet: render it, then analyse the output', { file, line: 1 }));
      continue;
    }
    append(out.findings, parsed.findings);
    const unmodelled: string[] = [];
    let modelled = 0;
    for (const doc of parsed.documents) {
      if (isKubernetesObject(doc.value)) {
        const kind = isRecord(doc.value) ? String(doc.value.kind) : '';
        out.kubernetes.push(doc);
        if (MODELLED_KINDS.has(kind)) modelled++;
        else unmodelled.push(describeUnmodelled(doc.value));
      } else if (isComposeFile(doc.value)) {
        out.compose.push(doc);
        modelled++;
      } else if (isMarathonDocument(doc.value)) {
        out.marathon.push(doc);
        modelled++;
      } else {
        unmodelled.push(describeUnmodelled(doc.value));
      }
    }
    if (modelled === 0 && parsed.findings.length === 0) {
      const what = [...new Set(unmodelled)];
      const shown = what.length > 3 ? `${what.slice(0, 3).join(', ')} …` : what.join(', ');
      const message = what.length === 0
        ? 'File is empty; nothing to model'
        : `Nothing Tenet models here (${shown}); skipped`;
      out.findings.push(finding('TN006', message, { file, line: 1 }));
    }
  }
  return out;
}
