/** The console: the REST API, its authentication, and serving it over TLS. */
export { API_PREFIX, consoleApp, type ConsoleOptions } from './app.ts';
export { API_ERRORS, type ApiErrorCode } from './api.ts';
export { ROUTES } from './routes/index.ts';
export { ensureAdmin, ensureEnrollToken, selfSignedTls, serveConsole, type RunningConsole, type Tls } from './serve.ts';
