import type { Command } from '../command.ts';
import { analyzeCommand } from './analyze.ts';
import { auditsCommand } from './audits.ts';
import { consoleCommand } from './console.ts';
import { defenderCommand } from './defender.ts';
import { diffCommand } from './diff.ts';
import { dryrunCommand } from './dryrun.ts';
import { generateCommand } from './generate.ts';
import { incidentsCommand } from './incidents.ts';
import { intelCommand } from './intel.ts';
import { intentCommand } from './intent.ts';
import { modeCommand } from './mode.ts';
import { modelsCommand } from './models.ts';
import { statusCommand } from './status.ts';
import { supermodelCommand } from './supermodel.ts';
import { suppressCommand } from './suppress.ts';
import { upCommand } from './up.ts';
import { whatifCommand } from './whatif.ts';

/** Every command of the CLI, in the order `tenet help` lists them. */
export const COMMANDS: readonly Command[] = [upCommand, consoleCommand, analyzeCommand, diffCommand, intentCommand, generateCommand, defenderCommand, statusCommand, modelsCommand, supermodelCommand, auditsCommand, incidentsCommand, intelCommand, suppressCommand, modeCommand, dryrunCommand, whatifCommand];
