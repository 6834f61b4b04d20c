/**
 * Every error the CLI reports for a run it could not do, by stable code. The text
 * of each is documented in docs/errors.md; a test keeps the two in step.
 */
export const ERRORS = {
  ERR_USAGE: 'The command line is not understood (an unknown option, a missing argument).',
  ERR_UNKNOWN_COMMAND: 'There is no such command; `tenet help` lists them.',
  ERR_BAD_OPTION_VALUE: 'An option has a value it does not accept (a format or a severity that does not exist).',
  ERR_PATH_NOT_FOUND: 'A path given on the command line does not exist.',
  ERR_NO_INPUT: 'The paths given hold no file Tenet can read (no YAML, JSON, Dockerfile or package.json).',
  ERR_NO_MODEL: 'No model of the input has what the artifact is made from (for `generate seccomp`: no Node.js app, so no syscalls).',
  ERR_NO_PROPOSAL: 'No open proposal by that id (`tenet models proposals` lists them; a decided one is not decided again).',
  ERR_INCOMPLETE: 'The model has not seen what the artifact needs (for a seccomp profile: a container start watched by the syscall sensor); the message says how to let it learn that.',
  ERR_AMBIGUOUS: 'The input gives several models and the artifact is for one: name it with `--model`.',
  ERR_NO_DATA: 'The data folder holds no store yet: a defender writes it (`tenet defender --data DIR`); give the same `--data` to read it.',
  ERR_BAD_FEED: 'A threat-intelligence feed could not be read, or holds no address, network or domain Tenet can use; the reason is given.',
  ERR_STORE: 'The store cannot be opened (a PostgreSQL server that does not answer or refuses the login, a data folder that cannot be written, a store another process kept locked).',
  ERR_CONSOLE: 'The console cannot be reached or refused to enroll this defender (a wrong URL, an untrusted certificate: --console-ca, an enrollment token that is wrong or revoked).',
  ERR_IMAGE: 'An image or its registry cannot be read or written (no such image, an unreachable registry, a refused push, content that does not match its digest); the reason is given.',
  ERR_BAD_INTENT: 'A file is not an intent manifest (not JSON, or not `kind: IntentManifest` of tenet/v1 whose model is the image it names); the reason is given.',
  ERR_BAD_RECORDING: 'A file is not a defender\'s recording (`tenet defender --record`): not there, not gzip or JSON lines, or of another version; the file and line are given.',
  ERR_ENGINE: 'The Docker engine cannot be reached (is dockerd running, is DOCKER_HOST right, may this user open its socket?).',
  ERR_RUNTIME: 'A container runtime\'s CRI socket (`--runtime cri:SOCKET`) cannot be reached or does not serve CRI (is containerd or CRI-O running there, with its CRI plugin on, may this user open the socket?).',
  ERR_INTERNAL: 'A bug in Tenet: the message and stack are printed; please report them.',
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** An error the CLI reports as `tenet: ERR_…: message` and exit code 2. */
export class CliError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
