import { existsSync } from 'node:fs';
import { CriClient } from './cri/client.ts';
import { engineSocket } from './engine.ts';

/** A container runtime to follow: the Docker engine (its API), or a runtime's CRI socket (containerd, CRI-O). */
export type RuntimeSpec = { kind: 'docker'; socket?: string } | { kind: 'cri'; socket: string };

/** The sockets where a Kubernetes node's runtimes serve CRI, by default. */
export const CRI_SOCKETS: readonly string[] = ['/run/containerd/containerd.sock', '/run/crio/crio.sock'];

/** `docker`, `docker:SOCKET` or `cri:SOCKET`; undefined for anything else. */
export function parseRuntime(text: string): RuntimeSpec | undefined {
  if (text === 'docker') return { kind: 'docker' };
  const colon = text.indexOf(':');
  const kind = text.slice(0, colon);
  const socket = text.slice(colon + 1);
  if (colon <= 0 || socket === '') return undefined;
  if (kind === 'docker') return { kind, socket };
  if (kind === 'cri') return { kind, socket };
  return undefined;
}

/** Whether a socket serves CRI (a containerd with its CRI plugin off, as Docker's own, does not). */
async function servesCri(socket: string): Promise<boolean> {
  const client = new CriClient(socket, { timeoutMs: 2_000 });
  try {
    await client.runtime('Version', 'VersionRequest', 'VersionResponse', { version: 'v1' });
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

/**
 * The runtimes of this host, when none is named: the Docker engine if its
 * socket is there, and each standard CRI socket that is there and answers
 * CRI. The Docker engine alone when none is found (its absence is then said
 * by the first listing).
 */
export async function detectRuntimes(log: (line: string) => void = () => {}): Promise<RuntimeSpec[]> {
  const found: RuntimeSpec[] = [];
  if (existsSync(engineSocket())) found.push({ kind: 'docker' });
  for (const socket of CRI_SOCKETS) {
    if (!existsSync(socket)) continue;
    if (await servesCri(socket)) found.push({ kind: 'cri', socket });
    else log(`containers: ${socket} does not serve CRI; not followed`);
  }
  return found.length > 0 ? found : [{ kind: 'docker' }];
}
