/**
 * The lab's shop (lab/shop/compose.yaml): a front end, an API, a worker and
 * Redis on one user-defined network, started with `docker compose` where it
 * is, and otherwise from the compose file by `docker run`, with the labels and
 * network aliases compose gives, so that both look the same to Tenet.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { LAB_LABEL } from './lab.ts';

export const SHOP_COMPOSE = join(dirname(fileURLToPath(import.meta.url)), 'shop', 'compose.yaml');
const PROJECT = 'shop';
/** The network compose makes for the file's `shop` network. */
export const SHOP_NETWORK = `${PROJECT}_shop`;

interface Service {
  image: string;
  environment?: Record<string, string>;
}

function docker(...args: string[]): string {
  const result = spawnSync('docker', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

const hasCompose = () => spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;

/** The container of a service, as compose names it. */
export const shopContainer = (service: string) => `${PROJECT}-${service}-1`;

const services = () => (parse(readFileSync(SHOP_COMPOSE, 'utf8')) as { services: Record<string, Service> }).services;

/** A service's container, run as compose would. */
function runService(name: string, service: Service): void {
  docker('run', '-d', '--name', shopContainer(name), '--network', SHOP_NETWORK, '--network-alias', name,
    '--label', `${LAB_LABEL}=shop`, '--label', `com.docker.compose.project=${PROJECT}`, '--label', `com.docker.compose.service=${name}`,
    ...Object.entries(service.environment ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    service.image);
}

/** Starts the shop; resolves to its services' names. */
export function startShop(): string[] {
  const all = services();
  stopShop();
  if (hasCompose()) {
    docker('compose', '-f', SHOP_COMPOSE, '-p', PROJECT, 'up', '-d');
    return Object.keys(all);
  }
  docker('network', 'create', '--label', `${LAB_LABEL}=shop`, '--label', `com.docker.compose.project=${PROJECT}`, SHOP_NETWORK);
  for (const [name, service] of Object.entries(all)) runService(name, service);
  return Object.keys(all);
}

/** Replaces a service's container with a new one (a deployment), after `between` ran (e.g. something that takes its address). */
export function recreateService(name: string, between: () => void = () => {}): void {
  docker('rm', '-f', shopContainer(name));
  between();
  if (hasCompose()) docker('compose', '-f', SHOP_COMPOSE, '-p', PROJECT, 'up', '-d', name);
  else runService(name, services()[name]!);
}

/** A container on the shop's network that is not the shop's: the attacker's foothold in the attack tests. */
export function startRogue(image: string): string {
  return docker('run', '-d', '--name', `${PROJECT}-rogue`, '--network', SHOP_NETWORK, '--label', `${LAB_LABEL}=shop`, image, 'sleep', '3600');
}

/** Removes the shop, its rogue container and its network. */
export function stopShop(): void {
  if (hasCompose()) spawnSync('docker', ['compose', '-f', SHOP_COMPOSE, '-p', PROJECT, 'down', '-t', '1'], { stdio: 'ignore' });
  const ids = spawnSync('docker', ['ps', '-aq', '--filter', `label=${LAB_LABEL}=shop`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  if (ids.length > 0) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
  spawnSync('docker', ['network', 'rm', SHOP_NETWORK], { stdio: 'ignore' });
}
