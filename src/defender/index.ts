/** The defender: containers, sensor, learning and detection on one host, written to the store. */
export { Defender, type DefenderCounts, type DefenderOptions, type DefenderStatus } from './defender.ts';
export { INGEST_FORMATS, parseIngest, type IngestCounts } from '../sensor/index.ts';
export { FeedError, feedName, loadFeed } from './feeds.ts';
export { BATCH, enroll, Uplink, WINDOW, type UplinkOptions, type UplinkState } from './uplink.ts';
