// A console in-process on a fresh SQLite store, with a user and a token of every role.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleApp } from '../../src/console/index.ts';
import { hashPassword, newSecret, secretHash, TOKEN_PREFIX } from '../../src/console/auth.ts';
import { SqliteStore, type Store, type Role } from '../../src/store/index.ts';

export const PASSWORD = 'correct horse battery staple';

export interface TestConsole {
  app: ReturnType<typeof consoleApp>;
  store: Store;
  /** A bearer token of each role, and an enrollment token. */
  tokens: Record<Role | 'enroll', string>;
  /** Lines the console logged. */
  logged: Array<Record<string, unknown>>;
  /** A request with a role's token (or none), JSON in and out. */
  call(method: string, path: string, options?: { as?: Role | 'enroll' | 'nobody'; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  clock: { now: number };
}

const hashed = hashPassword(PASSWORD);

export async function testConsole(options: { bodyLimit?: number } = {}): Promise<TestConsole> {
  const store = new SqliteStore(mkdtempSync(join(tmpdir(), 'tenet-console-')));
  const passwordHash = await hashed;
  const tokens = {} as Record<Role | 'enroll', string>;
  for (const role of ['admin', 'operator', 'auditor'] as const) {
    await store.putUser({ name: role, role, passwordHash, createdAt: '2026-01-01T00:00:00.000Z' });
  }
  for (const role of ['admin', 'operator', 'auditor', 'defender', 'enroll'] as const) {
    const secret = newSecret(TOKEN_PREFIX);
    tokens[role] = secret;
    await store.putToken({
      id: randomUUID(), name: `${role} token`, user: role === 'defender' || role === 'enroll' ? 'admin' : role, role: role === 'enroll' ? 'defender' : role,
      hash: secretHash(secret), createdAt: '2026-01-01T00:00:00.000Z', ...(role === 'defender' && { defender: 'node-1' }), ...(role === 'enroll' && { enroll: true }),
    });
  }
  const logged: Array<Record<string, unknown>> = [];
  const clock = { now: Date.parse('2026-06-01T00:00:00Z') };
  const app = consoleApp({ store, version: '0.0.0-test', secureCookies: false, log: (e) => logged.push(e), now: () => clock.now, ...options });
  return {
    app, store, tokens, logged, clock,
    call(method, path, { as = 'admin', body, headers = {} } = {}) {
      return Promise.resolve(app.request(path, {
        method,
        headers: {
          ...(as !== 'nobody' && { authorization: `Bearer ${tokens[as]}` }),
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      }));
    },
  };
}
