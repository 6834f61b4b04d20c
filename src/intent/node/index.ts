/** Code intent of Node.js apps: what each file loads and which core-module members it uses. */
export { coreModule, fileUsage, type CoreUse, type FileUsage, type ModuleImport } from './usage.ts';
export { resolveModule, type Loader, type Resolution, type SourceTree } from './resolve.ts';
export { appGraph, type AppFile, type AppCoreUse, type AppGraph } from './graph.ts';
