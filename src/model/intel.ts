import { z } from 'zod';

export const FeedFormat = z.enum(['stix2', 'feodo-csv', 'csv', 'ipsum', 'firehol', 'spamhaus-drop', 'list']);
export type FeedFormat = z.infer<typeof FeedFormat>;

/** Where a threat-intelligence indicator comes from and what its feed says of it. */
export const IntelProvenance = z.object({
  feed: z.string().describe('the feed\'s name (its file name, or the name given when loading)'),
  format: FeedFormat,
  category: z.string().optional(),
  maintainer: z.string().optional().describe('who maintains the list, as its header says'),
  score: z.number().optional().describe('the feed\'s own score (IPsum: on how many lists the address is)'),
  malware: z.string().optional(),
  ports: z.array(z.number().int()).optional(),
  firstSeen: z.string().optional(),
  lastSeen: z.string().optional(),
  reference: z.string().optional().describe('the indicator\'s own reference (a Spamhaus SBL id, a STIX id and name)'),
});
export type IntelProvenance = z.infer<typeof IntelProvenance>;
