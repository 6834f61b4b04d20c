/** The sensor side: events from the kernel (bpftrace) and from other tools, as RuntimeEvents. */
export * from './adapters/index.ts';
export { BpftraceSensor, hostPidNamespace, SENSOR_SCRIPT, SYSCALL_SCRIPT, type SensorOptions, type SensorStats } from './bpftrace/sensor.ts';
export { decodeQuestion, parseSensorLine, type SensorLine, type SensorRecord } from './bpftrace/parse.ts';
