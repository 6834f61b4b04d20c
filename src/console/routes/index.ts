import type { ApiRoute } from '../api.ts';
import { CONSOLE_ROUTES } from './console.ts';
import { DEFENDER_ROUTES } from './defenders.ts';
import { INTEL_ROUTES } from './intel.ts';
import { MODE_ROUTES } from './modes.ts';
import { PROFILE_ROUTES } from './profiles.ts';
import { RECORD_ROUTES } from './records.ts';
import { SESSION_ROUTES } from './session.ts';
import { SUPERMODEL_ROUTES } from './supermodels.ts';
import { USER_ROUTES } from './users.ts';

/** Every route of the API, under /api/v1. */
export const ROUTES: readonly ApiRoute[] = [
  ...CONSOLE_ROUTES, ...SESSION_ROUTES, ...PROFILE_ROUTES, ...RECORD_ROUTES, ...SUPERMODEL_ROUTES, ...MODE_ROUTES, ...INTEL_ROUTES, ...DEFENDER_ROUTES, ...USER_ROUTES,
];

export { SESSION_COOKIE } from './session.ts';
