/** Artifacts: pure functions from a model (or its parts) to what an enforcement point takes. */
export { allowedSyscalls, FALLBACKS, RUNTIME_SYSCALLS, seccompProfile, type SeccompProfile } from './seccomp.ts';
