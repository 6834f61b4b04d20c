import type { User } from '../store/index.ts';
import { ApiError, type Ctx } from './api.ts';
import { verifyPassword } from './auth.ts';

/** A hash to check against when the user does not exist, so that the answer takes as long either way. */
const NOBODY = 'scrypt$32768$8$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/**
 * The user a name and password prove, through the login throttle (per user
 * and per client address); ERR_THROTTLED with Retry-After while it holds,
 * ERR_UNAUTHENTICATED for a wrong name or password alike.
 */
export async function login(c: Ctx, name: string, password: string): Promise<User> {
  const throttle = c.get('options').throttle;
  const keys = [`user:${name}`, `address:${c.get('address')}`];
  const wait = throttle.waitMs(keys);
  if (wait > 0) throw new ApiError('ERR_THROTTLED', 'too many failed logins: wait and try again', undefined, { 'Retry-After': String(Math.ceil(wait / 1000)) });
  const user = await c.get('store').user(name);
  const ok = await verifyPassword(password, user?.passwordHash ?? NOBODY);
  if (user === undefined || !ok) {
    throttle.fail(keys);
    throw new ApiError('ERR_UNAUTHENTICATED', 'wrong user name or password');
  }
  throttle.succeed(keys);
  return user;
}
