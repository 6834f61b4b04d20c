import type { Rule } from '../rule.ts';

const INSTALLERS: ReadonlySet<string> = new Set(['apt', 'apt-get', 'aptitude', 'dpkg', 'yum', 'dnf', 'rpm', 'microdnf', 'apk', 'zypper', 'pacman']);
const LANGUAGE_INSTALLERS: ReadonlySet<string> = new Set(['pip', 'pip3', 'gem', 'npm', 'yarn', 'pnpm', 'cargo', 'go']);
const COMPILERS: ReadonlySet<string> = new Set(['gcc', 'g++', 'cc', 'c++', 'clang', 'clang++', 'tcc', 'make', 'cmake', 'rustc', 'as', 'ld', 'javac']);

export const packageManagerOrCompiler: Readonly<Rule> = {
  id: 'package-manager-or-compiler',
  title: 'Package manager or compiler in a running container',
  severity: 'high',
  technique: { id: 'T1105', name: 'Ingress Tool Transfer' },
  kinds: ['exec'],
  needsModel: false,
  description: 'An image is built once; installing packages or compiling code inside a running container brings in what the image never had. The model may allow it (a build step the container really runs).',
  detect: {
    exec(event, context) {
      const program = context.program;
      const installs = INSTALLERS.has(program) || COMPILERS.has(program) || (program.startsWith('gcc-') && /^gcc-\d+$/.test(program))
        || (LANGUAGE_INSTALLERS.has(program) && (event.process?.argv ?? []).slice(1).some((a) => /^(install|add|i|get|build)$/.test(a)));
      return installs && !context.knownProcess() ? `${program} ${(event.process?.argv ?? []).slice(1).join(' ')}`.trim() : undefined;
    },
  },
};
