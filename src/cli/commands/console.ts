import { readFileSync, writeFileSync } from 'node:fs';
import { ensureAdmin, ensureEnrollToken, selfSignedTls, serveConsole, type RunningConsole, type Tls } from '../../console/index.ts';
import { PostgresStore, SqliteStore, type Store } from '../../store/index.ts';
import { parseCommandLine, type Command, type Io } from '../command.ts';
import { dataDir } from '../data.ts';
import { CliError } from '../errors.ts';
import { VERSION } from '../version.ts';

const USAGE = `Usage: tenet console [options]

Runs the console until stopped (Ctrl-C, SIGTERM): the REST API under /api/v1
(its OpenAPI document at /api/v1/openapi.json), over TLS with a self-signed
certificate kept in the data folder unless one is given. On first start it
makes the user admin, with the password in $TENET_ADMIN_PASSWORD or a
generated one that it prints once. With $TENET_ENROLL_TOKEN (24 characters or
more) defenders may enroll with that secret, as with a token an admin made.

Options:
  --port N          port (default 8443; 0: any free port)
  --host ADDRESS    address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --data DIR        data folder: the SQLite store and the certificate (default $TENET_DATA,
                    /var/lib/tenet as root, else ~/.tenet)
  --postgres URL    keep everything in PostgreSQL instead (postgres://…; several consoles
                    may share it); also $TENET_POSTGRES
  --tls-cert FILE   certificate (PEM) to serve instead of the self-signed one
  --tls-key FILE    its private key (PEM)
  --no-tls          plain HTTP (behind a proxy that terminates TLS)
  --tls-name NAME   another name for the self-signed certificate, made at the first start:
                    a Service's (tenet-console.tenet.svc) or an address; may be repeated
  --cert-out FILE   also write the certificate served (not its key) to FILE, for
                    defenders to trust (--console-ca)
  --cors-origin URL another origin a browser may call the API from (may be given several times)`;

export const CONSOLE_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  data: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'no-tls': { type: 'boolean' },
  'cert-out': { type: 'string' },
  'tls-name': { type: 'string', multiple: true },
  'cors-origin': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

type ConsoleValues = {
  port?: string | undefined; host?: string | undefined; data?: string | undefined; 'tls-cert'?: string | undefined; 'tls-key'?: string | undefined; 'no-tls'?: boolean | undefined; 'cert-out'?: string | undefined; 'tls-name'?: string[] | undefined;
  'cors-origin'?: string[] | undefined;
};

/**
 * Starts the console of `tenet console` and `tenet up` on a store, prints
 * where it is and how to log in, and returns it running.
 */
export async function startConsole(values: ConsoleValues, store: Store, io: Io): Promise<RunningConsole> {
  const port = values.port === undefined ? 8443 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError('ERR_BAD_OPTION_VALUE', `--port must be a port number, not "${values.port}"`);
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new CliError('ERR_USAGE', `--tls-cert and --tls-key go together\n\n${USAGE}`);
  let tls: Tls | undefined;
  if (values['no-tls'] !== true) {
    if (values['tls-cert'] !== undefined) {
      try {
        tls = { cert: readFileSync(values['tls-cert'], 'utf8'), key: readFileSync(values['tls-key']!, 'utf8') };
      } catch (e) {
        throw new CliError('ERR_PATH_NOT_FOUND', `cannot read the certificate: ${(e as Error).message}`);
      }
    } else {
      const made = await selfSignedTls(dataDir(values.data), values['tls-name'] ?? []);
      tls = made;
      if (made.made) io.stderr(`made a self-signed certificate for this host (SHA-256 ${made.fingerprint ?? '?'}), kept in ${dataDir(values.data)}\n`);
    }
  }
  if (values['cert-out'] !== undefined) {
    if (tls === undefined) throw new CliError('ERR_USAGE', `--cert-out needs TLS\n\n${USAGE}`);
    writeFileSync(values['cert-out'], tls.cert);
  }
  const admin = await ensureAdmin(store, process.env.TENET_ADMIN_PASSWORD || undefined);
  const enrollSecret = process.env.TENET_ENROLL_TOKEN;
  if (enrollSecret !== undefined && enrollSecret !== '') {
    try {
      if (await ensureEnrollToken(store, enrollSecret, admin.name)) io.stderr('defenders may enroll with $TENET_ENROLL_TOKEN\n');
    } catch (e) {
      throw new CliError('ERR_BAD_OPTION_VALUE', `TENET_ENROLL_TOKEN: ${(e as Error).message}`);
    }
  }
  let running: RunningConsole;
  try {
    running = await serveConsole({ store, version: VERSION, port, host: values.host ?? '127.0.0.1', tls, ...(values['cors-origin'] !== undefined && { corsOrigins: values['cors-origin'] }) });
  } catch (e) {
    throw new CliError('ERR_BAD_OPTION_VALUE', `cannot listen on ${values.host ?? '127.0.0.1'}:${port}: ${(e as Error).message}`);
  }
  io.stdout(`Tenet console: ${running.url}\n`);
  if (admin.password !== undefined) io.stdout(`  user:     ${admin.name}\n  password: ${admin.password}   (shown once; set TENET_ADMIN_PASSWORD to choose it)\n`);
  else io.stdout(`  user:     ${admin.name} (password ${admin.created ? 'from TENET_ADMIN_PASSWORD' : 'as set before'})\n`);
  io.stdout(`  API:      ${running.url}/api/v1 (OpenAPI: ${running.url}/api/v1/openapi.json)\n`);
  return running;
}

/** Resolves at Ctrl-C or SIGTERM. */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

export const consoleCommand: Command = {
  name: 'console',
  summary: 'the console: REST API over TLS, on SQLite or PostgreSQL',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandLine(args, { ...CONSOLE_OPTIONS, postgres: { type: 'string' } }, USAGE);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const url = values.postgres ?? process.env.TENET_POSTGRES;
    let store: Store;
    try {
      store = url !== undefined ? await PostgresStore.open(url) : new SqliteStore(dataDir(values.data));
    } catch (e) {
      throw new CliError('ERR_STORE', `cannot open the store: ${(e as Error).message}`);
    }
    try {
      const running = await startConsole(values, store, io);
      await untilStopped();
      await running.close();
    } finally {
      await store.close();
    }
    return 0;
  },
};
