import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID, X509Certificate } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import selfsigned from 'selfsigned';
import type { Store, User } from '../store/index.ts';
import { consoleApp, type ConsoleOptions } from './app.ts';
import { ChannelHub } from './channel.ts';
import { hashPassword, newPassword, secretHash } from './auth.ts';

/** A certificate and its key, as PEM. */
export interface Tls {
  cert: string;
  key: string;
}

const CERT_FILE = 'console-cert.pem';
const KEY_FILE = 'console-key.pem';

/**
 * The console's own certificate, made once and kept in the data folder (so a
 * browser that accepted it keeps accepting it): self-signed, P-256, for
 * localhost, this host's name, `names` (a Service's name, or an address) and
 * the loopback addresses, valid two years.
 */
export async function selfSignedTls(dataDir: string, names: readonly string[] = []): Promise<Tls & { fingerprint?: string; made: boolean }> {
  const certPath = join(dataDir, CERT_FILE);
  const keyPath = join(dataDir, KEY_FILE);
  if (existsSync(certPath) && existsSync(keyPath)) return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), made: false };
  const name = hostname();
  const now = new Date();
  const pems = await selfsigned.generate([{ name: 'commonName', value: name }, { name: 'organizationName', value: 'Tenet console' }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256', notBeforeDate: now, notAfterDate: new Date(now.getTime() + 730 * 86400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...new Set(['localhost', name, ...names, '127.0.0.1', '::1'])].map((value) => (isIP(value) === 0 ? { type: 2 as const, value } : { type: 7 as const, ip: value })) },
    ],
  });
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  writeFileSync(certPath, pems.cert);
  return { cert: pems.cert, key: pems.private, fingerprint: new X509Certificate(pems.cert).fingerprint256, made: true };
}

/**
 * The first admin: made when the store has no user, with the password given
 * (TENET_ADMIN_PASSWORD) or a generated one, returned to be printed once. A
 * given password also replaces the admin's on a later start.
 */
export async function ensureAdmin(store: Store, given: string | undefined): Promise<{ name: string; password?: string; created: boolean }> {
  const users = await store.users();
  const existing = users.find((u) => u.name === 'admin');
  if (users.length > 0 && (given === undefined || existing === undefined)) return { name: existing?.name ?? users.find((u) => u.role === 'admin')?.name ?? users[0]!.name, created: false };
  const password = given ?? newPassword();
  const user: User = { name: 'admin', role: 'admin', passwordHash: await hashPassword(password), createdAt: existing?.createdAt ?? new Date().toISOString() };
  await store.putUser(user);
  return { name: 'admin', created: existing === undefined, ...(given === undefined && { password }) };
}

/** The shortest enrollment secret taken from the environment: a guessable one would let anyone enroll a defender. */
const MIN_ENROLL_SECRET = 24;

/**
 * An enrollment token with a secret chosen outside the console
 * (TENET_ENROLL_TOKEN, a deployment's Secret), so that defenders deployed
 * beside it can enroll without an admin making one first.
 */
export async function ensureEnrollToken(store: Store, secret: string, owner: string): Promise<boolean> {
  if (secret.length < MIN_ENROLL_SECRET) throw new Error(`an enrollment token must have at least ${MIN_ENROLL_SECRET} characters`);
  const hash = secretHash(secret);
  if ((await store.tokenByHash(hash)) !== undefined) return false;
  await store.putToken({ id: randomUUID(), name: 'from the environment (TENET_ENROLL_TOKEN)', user: owner, role: 'defender', hash, createdAt: new Date().toISOString(), enroll: true });
  return true;
}

export interface RunningConsole {
  url: string;
  close(): Promise<void>;
}

/** The console on a port (0: any free one), over TLS unless `tls` is undefined: the API, and the defender channel. */
export function serveConsole(options: Omit<ConsoleOptions, 'throttle'> & { port: number; host: string; tls: Tls | undefined; replica?: string }): Promise<RunningConsole> {
  const app = consoleApp({ ...options, secureCookies: options.tls !== undefined });
  const hub = new ChannelHub({ store: options.store, ...(options.replica !== undefined && { replica: options.replica }), ...(options.log !== undefined && { log: options.log }) });
  return new Promise((resolve, reject) => {
    const server = serve({
      fetch: app.fetch,
      port: options.port,
      hostname: options.host,
      ...(options.tls !== undefined && { createServer: createHttpsServer, serverOptions: { cert: options.tls.cert, key: options.tls.key } }),
    }, (info: AddressInfo) => {
      const host = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `${options.tls !== undefined ? 'https' : 'http'}://${host}:${info.port}`,
        close: async () => {
          await hub.close();
          await new Promise<void>((done) => {
            server.close(() => done());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          });
        },
      });
    });
    hub.attach(server as Server);
    server.once('error', reject);
  });
}
