/** The defender: containers, sensor, learning and detection on one host, written to the store. */
export { Defender, type DefenderOptions } from './defender.ts';
export type { DefenderCounts, DefenderStatus } from './status.ts';
export { localDefender, type LocalDefenderOptions } from './local.ts';
export { Steps, StepError, type Step } from './steps.ts';
export { INGEST_FORMATS, parseIngest, type IngestCounts } from '../sensor/index.ts';
export { FeedError, feedName, loadFeed } from './feeds.ts';
export { BATCH, enroll, Uplink, WINDOW, type UplinkOptions, type UplinkState } from './uplink.ts';
export { Recorder, RECORDING_VERSION, type RecordingEntry, type RecordingHeader } from './recording.ts';
export { Replay, RecordingError } from './replay.ts';
export { containersStorageImage, contentStoreImage, ImageReader, engineImage, type ImageRead } from './images.ts';
export { replayDryRun, type ReplayRun } from './dry-run.ts';
export { DnsResolver, PeerNames, type NameResolver, type PeerNamesOptions, type Resolved } from './peer-names.ts';
