import type { Rule } from '../rule.ts';

/** Deviations from an active model, one rule per dimension, and drift. */
export const MODEL_RULES: readonly Rule[] = [
  {
    id: 'unexpected-process', title: 'Program outside the model', severity: 'high', technique: { id: 'T1059', name: 'Command and Scripting Interpreter' },
    kinds: ['exec'], needsModel: true, dimension: 'processes',
    description: 'A container ran a program its model does not allow: not declared, not in the image\'s building blocks, not learned.',
  },
  {
    id: 'unexpected-parent', title: 'Program started by an unexpected parent', severity: 'high', technique: { id: 'T1059', name: 'Command and Scripting Interpreter' },
    kinds: ['exec'], needsModel: true,
    description: 'A program its model allows, started by a program that never started it while the model learned (nginx started by a shell, not by the runtime): someone using the container\'s own tools.',
  },
  {
    id: 'drift', title: 'Drift: a program that is not the image\'s', severity: 'critical', technique: { id: 'T1105', name: 'Ingress Tool Transfer' },
    kinds: ['exec'], needsModel: false, dimension: 'processes',
    description: 'A container ran a file that is not in its image, or that was written after it started (it is in the container\'s writable layer). Reported in every model state: a running container never legitimately changes its programs.',
  },
  {
    id: 'unexpected-listen', title: 'Port outside the model', severity: 'medium', technique: { id: 'T1571', name: 'Non-Standard Port' },
    kinds: ['listen', 'accept'], needsModel: true, dimension: 'listen',
    description: 'A container listened on, or accepted a connection on, a port its model does not have.',
  },
  {
    id: 'unexpected-egress', title: 'Peer outside the model', severity: 'high', technique: { id: 'T1071', name: 'Application Layer Protocol' },
    kinds: ['connect'], needsModel: true, dimension: 'egress',
    description: 'A container connected to an address and port its model does not have.',
  },
  {
    id: 'lateral-movement', title: 'Connection outside the application\'s graph', severity: 'high', technique: { id: 'T1021', name: 'Remote Services' },
    kinds: ['connect'], needsModel: true,
    description: 'A workload connected to another workload of its own application that the application\'s graph (its supermodel: declared and learned edges) does not connect it to: the front end straight to the database, a compromised service probing its neighbours.',
  },
  {
    id: 'unexpected-dns', title: 'DNS name outside the model', severity: 'medium', technique: { id: 'T1071.004', name: 'DNS' },
    kinds: ['dns'], needsModel: true, dimension: 'dns',
    description: 'A container asked DNS for a name its model does not have.',
  },
  {
    id: 'unexpected-write', title: 'Write outside the model', severity: 'medium', technique: { id: 'T1565.001', name: 'Stored Data Manipulation' },
    kinds: ['write'], needsModel: true, dimension: 'writable',
    description: 'A container opened for writing a path its model does not allow.',
  },
  {
    id: 'sensitive-read', title: 'Sensitive file read outside the model', severity: 'high', technique: { id: 'T1552.001', name: 'Credentials In Files' },
    kinds: ['open'], needsModel: true, dimension: 'reads',
    description: 'A container read a sensitive path (/etc/shadow, SSH keys, secrets) its model does not allow.',
  },
  {
    id: 'unexpected-syscall', title: 'Syscall outside the model', severity: 'medium', technique: { id: 'T1106', name: 'Native API' },
    kinds: ['syscall'], needsModel: true, dimension: 'syscalls',
    description: 'A container made a syscall its model does not have. What a process already reported does at this level is part of that report.',
  },
  {
    id: 'unexpected-capability', title: 'Capability outside the model', severity: 'medium', technique: { id: 'T1068', name: 'Exploitation for Privilege Escalation' },
    kinds: ['capability'], needsModel: true, dimension: 'capabilities',
    description: 'A container used a Linux capability its model does not have.',
  },
  {
    id: 'threat-intel-peer', title: 'Peer listed by threat intelligence', severity: 'high', technique: { id: 'T1071', name: 'Application Layer Protocol' },
    kinds: ['connect'], needsModel: false,
    description: 'A container connected to an address that a loaded feed lists; critical when a feed names it command and control, malware or mining. Every model state.',
  },
  {
    id: 'threat-intel-dns', title: 'DNS name listed by threat intelligence', severity: 'high', technique: { id: 'T1071.004', name: 'DNS' },
    kinds: ['dns'], needsModel: false,
    description: 'A container asked DNS for a name (or a name under a domain) that a loaded feed lists. Every model state.',
  },
];
