import type { Command } from '../command.ts';
import { analyzeCommand } from './analyze.ts';
import { generateCommand } from './generate.ts';

/** Every command of the CLI, in the order `tenet help` lists them. */
export const COMMANDS: readonly Command[] = [analyzeCommand, generateCommand];
