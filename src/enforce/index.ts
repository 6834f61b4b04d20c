/** Enforcement: the modes each container is in, and the artifacts each enforcement point takes, made from models. */
export * from './generators/index.ts';
export { modeOf, modesOf, scopeMatches, type ModeTarget } from './modes.ts';
