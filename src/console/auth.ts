import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Role } from '../store/index.ts';

/**
 * scrypt, memory-hard: 2^15 × 8 × 128 bytes = 32 MiB a hash (OWASP's
 * minimum for scrypt), a fresh 16-byte salt each.
 */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32 } as const;

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number; keylen: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, params.keylen, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r }, (e, key) => (e ? reject(e) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash` (base64url): what the store keeps of a password. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether a password is the one hashed (in constant time; a malformed hash never matches). */
export async function verifyPassword(password: string, hashed: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = hashed.split('$');
  if (scheme !== 'scrypt' || salt === undefined || key === undefined) return false;
  const expected = Buffer.from(key, 'base64url');
  const params = { N: Number(n), r: Number(r), p: Number(p), keylen: expected.length };
  if (!Number.isInteger(params.N) || !Number.isInteger(params.r) || !Number.isInteger(params.p) || params.N > 2 ** 20 || params.r > 32 || params.p > 16) return false;
  const actual = await derive(password, Buffer.from(salt, 'base64url'), params);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A new secret: an API token (`tnt_…`), a session cookie, a CSRF token. Only its `secretHash` is stored. */
export function newSecret(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export const TOKEN_PREFIX = 'tnt_';

/** What the store keeps of a token or session cookie: its SHA-256 (the secret itself has 256 random bits, so no salt or slow hash is needed). */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A password people can type and never guess: 24 characters, 143 bits. */
export function newPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Who is asking, and how they proved it. */
export interface Principal {
  name: string;
  role: Role;
  via: 'basic' | 'token' | 'session';
  /** A session's token that its changes must carry. */
  csrf?: string;
  /** A defender's token: the defender it speaks for. */
  defender?: string;
  /** An enrollment token: good for enrolling a defender and nothing else. */
  enroll?: boolean;
}

/** What each role may do, from the least. */
export const RANK: Readonly<Record<Exclude<Role, 'defender'>, number>> = { auditor: 1, operator: 2, admin: 3 };

/** Whether a principal has a role at least as strong as the one a route needs. Defenders only have what is theirs. */
export function allowed(principal: Principal, needs: Role): boolean {
  if (principal.enroll === true) return false;
  if (needs === 'defender' || principal.role === 'defender') return principal.role === needs;
  return RANK[principal.role] >= RANK[needs];
}

/**
 * Failed logins slow the next ones down, per user name and per client address:
 * after 5 failures in 15 minutes, each further try waits twice as long as the
 * last (1 s … 15 min) before it is even checked. Kept per console replica.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; first: number; until: number }>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** Milliseconds to wait before these keys may try again (0: now). */
  waitMs(keys: readonly string[]): number {
    const now = this.now();
    let wait = 0;
    for (const key of keys) {
      const f = this.failures.get(key);
      if (f === undefined) continue;
      if (now - f.first > 15 * 60_000) this.failures.delete(key);
      else wait = Math.max(wait, f.until - now);
    }
    return wait;
  }

  fail(keys: readonly string[]): void {
    const now = this.now();
    if (this.failures.size > 100_000) this.failures.clear();
    for (const key of keys) {
      const f = this.failures.get(key) ?? { count: 0, first: now, until: 0 };
      f.count++;
      f.until = f.count < 5 ? 0 : now + Math.min(1000 * 2 ** (f.count - 5), 15 * 60_000);
      this.failures.set(key, f);
    }
  }

  succeed(keys: readonly string[]): void {
    for (const key of keys) this.failures.delete(key);
  }
}
