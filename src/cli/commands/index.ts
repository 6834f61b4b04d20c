import type { Command } from '../command.ts';
import { analyzeCommand } from './analyze.ts';

/** Every command of the CLI, in the order `tenet help` lists them. */
export const COMMANDS: readonly Command[] = [analyzeCommand];
