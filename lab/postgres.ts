/**
 * A real PostgreSQL server for the tests and benchmarks of the PostgreSQL
 * store: a throwaway cluster in a temporary folder, reachable only through a
 * Unix socket in that folder (no TCP port), run as the `postgres` user when
 * started by root (the server refuses root), stopped and removed after.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's packages put the server's programs: the newest version installed. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

export interface PostgresServer {
  /** A `postgres://` URL of a new, empty database. */
  database(name: string): Promise<string>;
  stop(): void;
}

/** Starts a cluster; throws with the server's own words when it cannot. */
export function startPostgres(): PostgresServer {
  const bin = postgresBin();
  if (bin === undefined) throw new Error('PostgreSQL is not installed (Debian: apt-get install postgresql; `npm run lab:up` does it)');
  const dir = mkdtempSync(join(tmpdir(), 'tenet-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? 'postgres' : undefined;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (program: string, args: string[]) => {
    const command = user === undefined ? join(bin, program) : 'runuser';
    const argv = user === undefined ? args : ['-u', user, '--', join(bin, program), ...args];
    const result = spawnSync(command, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) throw new Error(`${program} failed: ${(result.stderr || result.stdout || String(result.error)).trim().slice(-2000)}`);
  };
  run('initdb', ['-D', data, '-U', 'tenet', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync']);
  run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', `-c listen_addresses='' -c unix_socket_directories='${dir}' -c fsync=off -c max_connections=200`, 'start']);
  const url = (database: string) => `postgres://tenet@${encodeURIComponent(dir)}/${database}`;
  return {
    async database(name: string) {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
