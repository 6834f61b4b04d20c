/** Code intent of Node.js apps: entries, module graph, core-module uses, and what they need from the kernel. */
export { coreModule, fileUsage, type CoreUse, type FileUsage, type Literal, type ModuleImport } from './usage.ts';
export { packageJson, resolveModule, resolvePackage, type Loader, type Resolution, type SourceTree } from './resolve.ts';
export { appGraph, type AppFile, type AppCoreUse, type AppGraph } from './graph.ts';
export { appEntries, type AppCommand, type AppEntry } from './entries.ts';
export { codeIntent, type CodeIntent, type CodeIntentOptions, type Widening } from './intent.ts';
export { analyzeApps, imageAppIntent, type AppInput, type AppsOptions } from './apps.ts';
