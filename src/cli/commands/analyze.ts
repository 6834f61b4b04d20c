import { DEFAULT_MAX_FILE_SIZE } from '../../intent/index.ts';
import { isUnusable, Severity, severityRank, type Analysis } from '../../model/index.ts';
import { parseCommandLine, writeResult, type Command } from '../command.ts';
import { CliError } from '../errors.ts';
import { analyzePaths } from '../analysis.ts';
import { toSarif } from '../output/sarif.ts';
import { toTable } from '../output/table.ts';
import { VERSION } from '../version.ts';

const FORMATS = ['table', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `Usage: tenet analyze PATH|IMAGE… [options]

Reads Dockerfiles, Kubernetes manifests, Compose files and Marathon definitions
(files, folders searched recursively, or - for standard input; recognised by
content, not only by name), images, and the code of Node.js apps (every folder
with a package.json), and prints the intent model of every workload, image and
app, the graph of every application, and findings. An image that a manifest of
the same run names is joined to that workload's model; an app's code intent
(syscalls, ports, peers, programs, paths) joins the model of the Dockerfile
beside its package.json.

Images:
  image:REF                   from the local Docker engine (DOCKER_HOST or /var/run/docker.sock)
  docker-archive:FILE[:TAG]   a \`docker save\` tar
  oci:DIR|FILE[:TAG]          an OCI image layout, as a folder or a tar
  registry:HOST/REPO[:TAG|@DIGEST]
                              a registry (HTTP API v2; plain HTTP on loopback)

Options:
  --format table|json|sarif   output (default: table: a summary, then models, applications
                              and findings grouped by code, for a 120-column terminal)
  --verbose                   the table in full: every finding, edge and port
  --fail-on SEVERITY          exit 1 when a finding is at least this severe:
                              info|low|medium|high|critical|none (default: high)
  --max-file-size BYTES       larger files are reported, not read (default: ${DEFAULT_MAX_FILE_SIZE})
  -o, --output FILE           write the report to FILE instead of standard output
  --node VERSION              Node.js version the apps run on, for their syscalls
                              (default: the Dockerfile's FROM node:N, else the newest Tenet knows)
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

function render(analysis: Analysis, format: Format, color: boolean, verbose: boolean): string {
  switch (format) {
    case 'json': return `${JSON.stringify(analysis, null, 2)}\n`;
    case 'sarif': return `${JSON.stringify(toSarif(analysis, VERSION), null, 2)}\n`;
    case 'table': return toTable(analysis, { color, verbose });
  }
}

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'models, application graphs and findings from Dockerfiles and manifests',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      format: { type: 'string', default: 'table' },
      'fail-on': { type: 'string', default: 'high' },
      'max-file-size': { type: 'string' },
      output: { type: 'string', short: 'o' },
      verify: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      node: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    }, USAGE);
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

    const analysis = await analyzePaths(positionals, { maxFileSize, verify: values.verify, ...(values.node !== undefined && { node: values.node }) });

    const report = render(analysis, format, io.isTty && values.output === undefined && process.env.NO_COLOR === undefined, values.verbose);
    writeResult(report, values.output, io);
    return exitCodeOf(analysis, failOn as Severity | 'none');
  },
};
