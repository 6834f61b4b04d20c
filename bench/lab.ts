// What the lab benchmarks share: the lab check, nginx under wrk, and the CLI's status.
import { execFileSync } from 'node:child_process';
import { DOCKER, isRoot, LAB_IMAGES, LAB_LABEL, pingDocker } from '../lab/lab.ts';

export const BIN = new URL('../bin/tenet.js', import.meta.url).pathname;

/** Exits with a clear message unless this machine is a lab (root, the engine up). */
export async function requireLab(bench: string): Promise<void> {
  if (!isRoot() || !(await pingDocker())) {
    console.error(`${bench} needs the lab: run it as root after \`npm run lab:up\``);
    process.exit(2);
  }
}

export const docker = (...args: string[]) => execFileSync(DOCKER, args, { encoding: 'utf8' }).trim();

/** The lab's nginx, running: its id, name and address. */
export function startNginx(name?: string): { id: string; ip: string } {
  const id = docker('run', '-d', '--label', `${LAB_LABEL}=bench`, ...(name !== undefined ? ['--name', name] : []), LAB_IMAGES.nginx);
  return { id, ip: docker('inspect', '-f', '{{.NetworkSettings.IPAddress}}', id) };
}

/** Requests per second wrk gets from `ip` (1 thread, 32 connections). */
export function wrk(ip: string, seconds: number): number {
  const out = execFileSync('wrk', ['-t1', '-c32', `-d${seconds}s`, `http://${ip}/`], { encoding: 'utf8' });
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
  if (rate === undefined) throw new Error(`wrk said:\n${out}`);
  return Number(rate);
}

/** `tenet status --format json` of a data folder, or undefined while it has no store yet. */
export function tenetStatus<T>(data: string): T | undefined {
  try {
    return JSON.parse(execFileSync(process.execPath, [BIN, 'status', '--data', data, '--format', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as T;
  } catch {
    return undefined;
  }
}

/** Runs the CLI; throws with its standard error when it fails. */
export function tenet(...args: string[]): string {
  return execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
