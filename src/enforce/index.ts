/** Enforcement: the modes each container is in, and the artifacts each enforcement point takes, made from models. */
export * from './generators/index.ts';
export { modeOf, modesOf, scopeMatches, type ModeTarget } from './modes.ts';
export { ownMounts, parseMountInfo, readOnlyPlan, readOnlyScript, refusedBy, type MountInfo, type ReadOnlyPlan, type RootView } from './read-only.ts';
export { dryRun, PREVENTION, type DryRun, type DryRunEntry } from './dry-run.ts';
export { ARTIFACT_KINDS, ARTIFACTS, modelName, renderArtifact, type ArtifactKind, type Rendered } from './artifacts.ts';
export * from './actions/index.ts';
