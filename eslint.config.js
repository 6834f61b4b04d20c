// Lint: typescript-eslint's recommended rules plus the import boundaries of the layout
// (STYLE.md): `model` imports nothing of ours, the pure stages do no I/O, `sensor` and
// `detect` never meet, and a folder is entered only through its index.ts.
import tseslint from 'typescript-eslint';

const FOLDERS = 'model|intent|image|knowledge|intel|sensor|runtime|learn|detect|enforce|supermodel|store|console|defender|cli';
const IO_MODULES = 'fs|fs/promises|net|http|https|http2|child_process|dgram|tls|cluster|worker_threads|readline';

const noIo = { regex: `^(node:)?(${IO_MODULES})$`, message: 'This stage is pure (data in, data out): do the I/O in the shell that calls it.' };
const throughIndex = {
  regex: `^(\\.\\./)+(${FOLDERS})/(?!index\\.ts$).+`,
  message: 'Import another folder only through its index.ts.',
};
const onlyFrom = (message, ...folders) => ({ regex: `^(\\.\\./)+(${folders.join('|')})/`, message });

const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns: [throughIndex, ...patterns] }] });

// No module-level mutable state (STYLE.md): at a module's top level, no `let` or `var`, and no
// object, array or instance made there unless its type is read-only. Indexes, caches and
// scratch belong to an object that owns their lifetime.
const TOP = ':matches(Program, Program > ExportNamedDeclaration) > VariableDeclaration';
const READ_ONLY = ':not([id.typeAnnotation.typeAnnotation.typeName.name=/^Readonly/]):not([id.typeAnnotation.typeAnnotation.operator="readonly"])';
const STATE_MESSAGE = 'No module-level mutable state: keep it in an object that owns it (or give a table a read-only type).';
const noModuleState = {
  'no-restricted-syntax': ['error',
    { selector: `${TOP}[kind!="const"]`, message: STATE_MESSAGE },
    { selector: `${TOP} > VariableDeclarator[init.type=/^(NewExpression|ArrayExpression|ObjectExpression)$/]${READ_ONLY}`, message: STATE_MESSAGE },
  ],
};

export default tseslint.config(
  // lab/apps/eslint is a project ESLint lints in the lab: its problems are its workload
  { ignores: ['node_modules/**', 'docs/**', 'web/dist/**', '.scratch/**', 'lab/apps/eslint/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The lab's and the bench's npm apps are CommonJS, as the apps they stand for are.
  { files: ['lab/apps/**', 'lab/shop/app/**', 'bench/apps/**'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['src/**'], rules: restrict() },
  // a promise nobody waits for is an error nobody sees (Node exits on an unhandled rejection)
  {
    files: ['src/**', 'test/**', 'bench/**', 'lab/**', 'scripts/**'],
    ignores: ['lab/apps/**', 'lab/shop/app/**', 'bench/apps/**', 'lab/images/**'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        ignoreVoid: false,
        // node:test runs what test() returns
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['src/model/**'],
    rules: restrict(noIo, onlyFrom('model imports nothing of ours.', ...FOLDERS.split('|').filter((f) => f !== 'model'))),
  },
  {
    files: ['src/intent/**', 'src/learn/**', 'src/supermodel/**', 'src/enforce/generators/**', 'src/knowledge/**', 'src/intel/**'],
    rules: restrict(noIo, onlyFrom('A pure stage does not reach into the shell.', 'cli', 'console', 'defender', 'store', 'runtime', 'sensor', 'image')),
  },
  {
    files: ['src/detect/**'],
    rules: restrict(noIo, onlyFrom('detect and sensor speak only model\'s RuntimeEvent.', 'sensor', 'cli', 'console', 'defender', 'store', 'runtime')),
  },
  { files: ['src/learn/**', 'src/detect/**'], rules: noModuleState },
  {
    files: ['src/sensor/**'],
    rules: restrict(onlyFrom('detect and sensor speak only model\'s RuntimeEvent.', 'detect')),
  },
  // the UI talks to the console over HTTP: of the server's code it takes only model types
  {
    files: ['web/**'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+src/', message: 'The web UI talks to the console over HTTP: import only types (import type) from src/model.', allowTypeImports: true }] }] },
  },
  {
    files: ['bin/**'],
    languageOptions: { globals: { process: 'readonly' } },
  },
);
