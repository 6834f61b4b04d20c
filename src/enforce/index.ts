/** Enforcement: the artifacts each enforcement point takes, made from models. */
export * from './generators/index.ts';
