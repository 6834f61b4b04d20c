import { fileURLToPath } from 'node:url';

/** The shared real-world fixtures, beside the repository. */
export const FIXTURES = fileURLToPath(new URL('../../shared/fixtures/', import.meta.url));
