import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ImageError, isImageInput, readImage } from '../../image/index.ts';
import { analyze, DEFAULT_MAX_FILE_SIZE, imageIntent, sortFindings, type ImageIntent } from '../../intent/index.ts';
import { finding, isUnusable, Severity, severityRank, type Analysis, type Finding } from '../../model/index.ts';
import type { Command } from '../command.ts';
import { CliError } from '../errors.ts';
import { collectInputs, diskFiles } from '../inputs.ts';
import { toSarif } from '../output/sarif.ts';
import { toTable } from '../output/table.ts';
import { VERSION } from '../version.ts';

const FORMATS = ['table', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `Usage: tenet analyze PATH|IMAGE… [options]

Reads Dockerfiles, Kubernetes manifests, Compose files and Marathon definitions
(files, folders searched recursively, or - for standard input; recognised by
content, not only by name) and images, and prints the intent model of every
workload and image, the graph of every application, and findings. An image
that a manifest of the same run names is joined to that workload's model.

Images:
  image:REF                   from the local Docker engine (DOCKER_HOST or /var/run/docker.sock)
  docker-archive:FILE[:TAG]   a \`docker save\` tar
  oci:DIR|FILE[:TAG]          an OCI image layout, as a folder or a tar
  registry:HOST/REPO[:TAG|@DIGEST]
                              a registry (HTTP API v2; plain HTTP on loopback)

Options:
  --format table|json|sarif   output (default: table)
  --fail-on SEVERITY          exit 1 when a finding is at least this severe:
                              info|low|medium|high|critical|none (default: high)
  --max-file-size BYTES       larger files are reported, not read (default: ${DEFAULT_MAX_FILE_SIZE})
  -o, --output FILE           write the report to FILE instead of standard output
  --verify                    hash every layer of local images and check it against its digest
                              (registries are always verified)

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 unusable input or usage error.`;

/** The exit code of an analysis: 2 for unusable input, 1 for findings at or above the threshold. */
export function exitCodeOf(analysis: Analysis, failOn: Severity | 'none'): number {
  if (analysis.findings.some(isUnusable)) return 2;
  if (failOn === 'none') return 0;
  const threshold = severityRank(failOn);
  return analysis.findings.some((f) => severityRank(f.severity) >= threshold) ? 1 : 0;
}

function render(analysis: Analysis, format: Format, color: boolean): string {
  switch (format) {
    case 'json': return `${JSON.stringify(analysis, null, 2)}\n`;
    case 'sarif': return `${JSON.stringify(toSarif(analysis, VERSION), null, 2)}\n`;
    case 'table': return toTable(analysis, color);
  }
}

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'models, application graphs and findings from Dockerfiles and manifests',
  usage: USAGE,
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: {
          format: { type: 'string', default: 'table' },
          'fail-on': { type: 'string', default: 'high' },
          'max-file-size': { type: 'string' },
          output: { type: 'string', short: 'o' },
          verify: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (e) {
      throw new CliError('ERR_USAGE', `${(e as Error).message}\n\n${USAGE}`);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length === 0) throw new CliError('ERR_USAGE', `analyze needs at least one PATH\n\n${USAGE}`);
    const format = values.format as Format;
    if (!FORMATS.includes(format)) throw new CliError('ERR_BAD_OPTION_VALUE', `--format must be one of ${FORMATS.join(', ')}, not "${values.format}"`);
    const failOn = values['fail-on'];
    if (failOn !== 'none' && !Severity.safeParse(failOn).success) {
      throw new CliError('ERR_BAD_OPTION_VALUE', `--fail-on must be one of ${Severity.options.join(', ')}, none; not "${failOn}"`);
    }
    const maxFileSize = values['max-file-size'] === undefined ? DEFAULT_MAX_FILE_SIZE : Number(values['max-file-size']);
    if (!Number.isInteger(maxFileSize) || maxFileSize <= 0) {
      throw new CliError('ERR_BAD_OPTION_VALUE', `--max-file-size must be a whole number of bytes, not "${values['max-file-size']}"`);
    }

    const imageInputs = positionals.filter(isImageInput);
    const paths = positionals.filter((p) => !isImageInput(p));
    const collected = collectInputs(paths, maxFileSize);
    if (imageInputs.length === 0 && collected.inputs.length === 0 && collected.findings.length === 0) {
      throw new CliError('ERR_NO_INPUT', `no YAML, JSON or Dockerfile found in ${positionals.join(', ')}`);
    }
    const { images, findings: imageFindings } = await readImages(imageInputs, values.verify);
    const analysis = analyze(collected.inputs, { files: diskFiles(maxFileSize), environment: environmentOf(process.env), images });
    analysis.findings = sortFindings([...collected.findings, ...imageFindings, ...analysis.findings]);

    const report = render(analysis, format, io.isTty && values.output === undefined && process.env.NO_COLOR === undefined);
    if (values.output !== undefined) {
      writeFileSync(values.output, report);
    } else {
      io.stdout(report);
    }
    return exitCodeOf(analysis, failOn as Severity | 'none');
  },
};

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
