import type { Rule } from '../rule.ts';
import { containerEscape } from './container-escape.ts';
import { cryptoMiner } from './crypto-miner.ts';
import { MODEL_RULES } from './model.ts';
import { packageManagerOrCompiler } from './package-manager-or-compiler.ts';
import { portScan } from './port-scan.ts';
import { reverseShell } from './reverse-shell.ts';
import { runtimeSocketOrToken } from './runtime-socket-or-token.ts';
import { shellFromServer } from './shell-from-server.ts';

/** Known-bad behaviour: rules that need no model, checked on every event in every state. */
export const KNOWN_BAD_RULES: readonly Rule[] = [shellFromServer, reverseShell, packageManagerOrCompiler, containerEscape, runtimeSocketOrToken, cryptoMiner, portScan];

/** Every rule, model deviations first. */
export const RULES: readonly Rule[] = [...MODEL_RULES, ...KNOWN_BAD_RULES];
