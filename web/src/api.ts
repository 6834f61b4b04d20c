// The console's API, as the UI calls it: the session cookie, the CSRF token on changes, errors as data.

export interface Me {
  name: string;
  role: 'admin' | 'operator' | 'auditor' | 'defender';
  via: string;
  csrf?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let csrf: string | undefined;

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'x-requested-with': 'tenet-ui' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf !== undefined) headers['x-csrf-token'] = csrf;
  const res = await fetch(`/api/v1${path}`, { method, headers, credentials: 'same-origin', ...(body !== undefined && { body: JSON.stringify(body) }) });
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const data: unknown = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const error = (data as { error?: { code: string; message: string } }).error;
    throw new ApiError(res.status, error?.code ?? 'ERR_HTTP', error?.message ?? `HTTP ${res.status}`);
  }
  return data as T;
}

export async function whoAmI(): Promise<Me | undefined> {
  try {
    const me = await call<Me>('GET', '/session');
    csrf = me.csrf;
    return me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return undefined;
    throw e;
  }
}

export async function login(name: string, password: string): Promise<Me> {
  const me = await call<Me>('POST', '/session', { name, password });
  csrf = me.csrf;
  return me;
}

export async function logout(): Promise<void> {
  await call('DELETE', '/session');
  csrf = undefined;
}

export interface Listing<T> {
  items: T[];
  next?: string;
}
