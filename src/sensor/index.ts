/** The sensor side: events from the kernel (bpftrace) and from other tools, as RuntimeEvents. */
export * from './adapters/index.ts';
