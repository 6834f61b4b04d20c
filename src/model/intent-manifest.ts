import { z } from 'zod';
import { IntentModel } from './intent-model.ts';

/** The media type of an intent manifest, as a file and as an OCI artifact beside its image. */
export const INTENT_MEDIA_TYPE = 'application/vnd.tenet.intent.v1+json';

/**
 * An image's model as a file a pipeline keeps beside the image: tied to the
 * image by its digest (the image ID, which the model's id also is), and named
 * by the sha256 of its own bytes.
 */
export const IntentManifest = z.object({
  apiVersion: z.literal('tenet/v1'),
  kind: z.literal('IntentManifest'),
  image: z.string().regex(/^sha256:[0-9a-f]{64}$/).describe('the image ID (its config digest): the model\'s id'),
  reference: z.string().optional().describe('the reference the image was read from'),
  createdAt: z.string(),
  model: IntentModel,
}).refine((m) => m.model.id === m.image, { message: 'the model\'s id is not the image the manifest is for', path: ['model', 'id'] });
export type IntentManifest = z.infer<typeof IntentManifest>;
