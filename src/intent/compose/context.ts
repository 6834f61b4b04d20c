import type { Finding, ListenEntry, Source, WritableEntry } from '../../model/index.ts';
import type { CommandForm } from '../common/command.ts';
import type { EnvVar } from '../common/peers.ts';
import type { FileLookup } from '../types.ts';

/** What the Compose analyser needs from a Dockerfile analysis to start a built service's model. */
export interface DockerfileLike {
  entrypoint?: CommandForm;
  cmd?: CommandForm;
  /** The shell of shell-form commands (`SHELL`); `/bin/sh -c` when absent. */
  shell?: readonly string[];
  user?: { value: string; sources: Source[] };
  exposed: readonly ListenEntry[];
  volumes: readonly WritableEntry[];
  healthcheck?: CommandForm | 'NONE';
  env?: readonly EnvVar[];
  stopSignal?: { value: string; sources: Source[] };
  findings: readonly Finding[];
}

/** How a service builds its image: `build.args` and `build.target`. */
export interface BuildOptions {
  args: Record<string, string>;
  target?: string;
}

export interface ComposeContext {
  /** Env files, build Dockerfiles, `extends` files and `.env`, by path joined to the compose file's folder. */
  files: FileLookup;
  /** Variables for interpolation, as the shell running `docker compose` would have them; they win over `.env`. */
  environment?: Record<string, string>;
  /** Analyses a build's Dockerfile; without it, built services are modelled from the compose file alone. */
  dockerfile?: (file: string, text: string, build?: BuildOptions) => DockerfileLike | undefined;
  /**
   * The folder relative input paths start from; Compose names a project after the
   * compose file's folder, which a path like `compose.yaml` does not show.
   */
  workingDirectory?: string;
}
