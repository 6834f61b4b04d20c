/** The sensor side: events from the kernel (bpftrace) and from other tools, as RuntimeEvents. */
export * from './adapters/index.ts';
export { BpftraceSensor, diesWithParent, hostPidNamespace, SENSOR_SCRIPT, stderrFilter, SYSCALL_SCRIPT, type SensorOptions, type SensorStats } from './bpftrace/sensor.ts';
export { decodeQuestion, formatSensorLine, parseSensorLine, type SensorLine, type SensorRecord } from './bpftrace/parse.ts';
export { BpftraceSource, type BpftraceSourceOptions } from './bpftrace/source.ts';
export { followLines, INGEST_FORMATS, IngestSource, parseIngest, type IngestCounts } from './ingest.ts';
export { eventContainer, processPart, ProcessTable, type KnownProcess } from './events.ts';
export type { EventSink, EventSource, SourceStatus, SyscallWatch } from './source.ts';
