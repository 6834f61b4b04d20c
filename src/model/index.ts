export * from './source.ts';
export * from './intent-model.ts';
export * from './supermodel.ts';
export * from './finding.ts';
export * from './finding-codes.ts';
export * from './code-report.ts';
export * from './analysis.ts';
export * from './json-schema.ts';
export type * from './image-contents.ts';
