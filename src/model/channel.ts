import { z } from 'zod';
import { FeedFormat, IntelProvenance } from './intel.ts';
import { IntentModel } from './intent-model.ts';
import { ModeSetting } from './mode.ts';
import { Suppression } from './suppression.ts';

/**
 * The defender channel: JSON text frames on a WebSocket at
 * /api/v1/defenders/channel (a defender's token as `Authorization: Bearer`).
 * The defender sends its outbox in order and the console acknowledges each
 * batch once it is stored; the console sends policy, feeds and commands.
 */
export const OUTBOX_KINDS = ['event', 'audit', 'incident', 'model', 'container', 'supermodel', 'status'] as const;

/** One outbox record: its place in the defender's order (events are stored once by defender, outbox and place), what it is, and its body. */
export const ChannelRecord = z.object({
  seq: z.number().int().positive(),
  kind: z.enum(OUTBOX_KINDS),
  key: z.string().nullable(),
  body: z.unknown(),
});
export type ChannelRecord = z.infer<typeof ChannelRecord>;

export const DefenderMessage = z.discriminatedUnion('type', [
  /** First on every connection: `epoch` names the outbox (a new one, a new numbering), so its records are stored once. */
  z.object({ type: z.literal('hello'), version: z.string(), epoch: z.string().min(1).max(64), pending: z.number().int().nonnegative(), dropped: z.number().int().nonnegative() }),
  z.object({ type: z.literal('batch'), records: z.array(ChannelRecord).min(1).max(5000) }),
  z.object({ type: z.literal('commands-done'), upTo: z.number().int().nonnegative() }),
]);
export type DefenderMessage = z.infer<typeof DefenderMessage>;

const Command = z.discriminatedUnion('action', [
  z.object({ action: z.literal('relearn'), model: z.string() }),
  z.object({ action: z.literal('extend'), model: z.string(), seconds: z.number() }),
  z.object({ action: z.enum(['accept-proposal', 'reject-proposal']), model: z.string(), proposal: z.string(), by: z.string().optional() }),
]);

export const FeedIndicator = z.object({ kind: z.enum(['ip', 'cidr', 'domain']), value: z.string(), provenance: IntelProvenance });

export const ConsoleMessage = z.discriminatedUnion('type', [
  /** Every record up to `upTo` is stored: the defender may forget them. */
  z.object({ type: z.literal('ack'), upTo: z.number().int().nonnegative(), rejected: z.number().int().nonnegative() }),
  z.object({ type: z.literal('policy'), modes: z.array(ModeSetting), suppressions: z.array(Suppression) }),
  z.object({
    type: z.literal('feeds'),
    feeds: z.array(z.object({ name: z.string(), source: z.string(), format: FeedFormat, loadedAt: z.string(), everySec: z.number().optional(), notes: z.array(z.string()) })),
    indicators: z.array(FeedIndicator),
  }),
  z.object({ type: z.literal('commands'), commands: z.array(z.object({ seq: z.number().int(), command: Command })) }),
  /** Models that finished learning elsewhere, for images the defender runs: it takes those it is still learning. */
  z.object({ type: z.literal('models'), models: z.array(IntentModel) }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type ConsoleMessage = z.infer<typeof ConsoleMessage>;
