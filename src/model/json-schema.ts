import { z } from 'zod';
import { Analysis } from './analysis.ts';
import { Audit } from './audit.ts';
import { Incident } from './incident.ts';
import { Proposal } from './proposal.ts';
import { Finding } from './finding.ts';
import { IntentManifest } from './intent-manifest.ts';
import { IntentModel } from './intent-model.ts';
import { RuntimeEvent } from './runtime-event.ts';
import { Supermodel } from './supermodel.ts';

/** The public schemas, by the file name they are published under in docs/schema/. */
export const PUBLISHED_SCHEMAS = {
  'intent-model.schema.json': IntentModel,
  'intent-manifest.schema.json': IntentManifest,
  'supermodel.schema.json': Supermodel,
  'finding.schema.json': Finding,
  'analysis.schema.json': Analysis,
  'runtime-event.schema.json': RuntimeEvent,
  'audit.schema.json': Audit,
  'incident.schema.json': Incident,
  'proposal.schema.json': Proposal,
} as const;

export function jsonSchemaOf(name: keyof typeof PUBLISHED_SCHEMAS): Record<string, unknown> {
  const schema = z.toJSONSchema(PUBLISHED_SCHEMAS[name], { target: 'draft-2020-12' });
  return { $id: `tenet/v1/${name}`, ...schema };
}
