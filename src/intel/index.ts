/**
 * Threat intelligence: IP, network and domain feeds in their common formats,
 * each indicator with its provenance, and an index that answers what the feeds
 * say of an address or a name. Pure: the shell reads the files and URLs.
 */
export { canonicalIPv6, indicatorOf, ipFamily, ipv4Value, parseFeed, type Indicator, type ParsedFeed, type Provenance } from './parse.ts';
export { IntelIndex, ipv4Number } from './lookup.ts';
