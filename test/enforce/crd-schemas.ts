/**
 * The parts of Tetragon's and KubeArmor's custom resource definitions that
 * Tenet's artifacts use, with their enums, patterns and required fields as the
 * published CRDs declare them (cilium.io/v1alpha1 TracingPolicy and
 * TracingPolicyNamespaced; security.kubearmor.com/v1 KubeArmorPolicy). Strict:
 * a field the CRD does not have is an error.
 */
import { z } from 'zod';

const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/).max(253);
const metadata = z.object({ name, namespace: name.optional(), annotations: z.record(z.string(), z.string()).optional(), labels: z.record(z.string(), z.string()).optional() }).strict();

const ARG_TYPES = [
  'auto', 'int', 'sint8', 'int8', 'uint8', 'sint16', 'int16', 'uint16', 'uint32', 'sint32', 'int32', 'ulong', 'uint64', 'size_t', 'long', 'sint64', 'int64',
  'char_buf', 'char_iovec', 'skb', 'sock', 'sockaddr', 'socket', 'sockaddr_un', 'string', 'fd', 'file', 'filename', 'path', 'nop', 'bpf_attr', 'perf_event',
  'bpf_map', 'user_namespace', 'capability', 'kiocb', 'iov_iter', 'cred', 'const_buf', 'load_info', 'module', 'syscall64', 'kernel_cap_t', 'cap_inheritable',
  'cap_permitted', 'cap_effective', 'linux_binprm', 'data_loc', 'net_device', 'bpf_cmd', 'dentry', 'bpf_prog',
] as const;
const MATCH_ARG_OPERATORS = [
  'Equal', 'NotEqual', 'Prefix', 'NotPrefix', 'Postfix', 'NotPostfix', 'GreaterThan', 'LessThan', 'GT', 'LT', 'Mask', 'SPort', 'NotSPort', 'SPortPriv',
  'NotSportPriv', 'DPort', 'NotDPort', 'DPortPriv', 'NotDPortPriv', 'SAddr', 'NotSAddr', 'DAddr', 'NotDAddr', 'Protocol', 'Family', 'State', 'InMap',
  'NotInMap', 'CapabilitiesGained', 'InRange', 'NotInRange', 'SubString', 'SubStringIgnCase', 'CelExpr', 'FileType', 'NotFileType',
] as const;
const ACTIONS = ['Post', 'Sigkill', 'Override', 'GetUrl', 'DnsLookup', 'NoPost', 'Signal', 'TrackSock', 'UntrackSock', 'NotifyEnforcer', 'CleanupEnforcerNotification', 'Set'] as const;

const labelSelector = z.object({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(z.object({ key: z.string(), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()).optional() }).strict()).optional(),
}).strict();

const kprobe = z.object({
  call: z.string(),
  syscall: z.boolean().optional(),
  return: z.boolean().optional(),
  args: z.array(z.object({ index: z.number().int().min(0), type: z.enum(ARG_TYPES) }).strict()).optional(),
  selectors: z.array(z.object({
    matchArgs: z.array(z.object({ index: z.number().int().min(0), operator: z.enum(MATCH_ARG_OPERATORS), values: z.array(z.string()).optional() }).strict()).optional(),
    matchActions: z.array(z.object({ action: z.enum(ACTIONS), argError: z.number().int().optional(), argSig: z.number().int().optional() }).strict()).optional(),
  }).strict()).optional(),
}).strict();

export const TracingPolicySchema = z.object({
  apiVersion: z.literal('cilium.io/v1alpha1'),
  kind: z.enum(['TracingPolicy', 'TracingPolicyNamespaced']),
  metadata,
  spec: z.object({
    podSelector: labelSelector.optional(),
    containerSelector: labelSelector.optional(),
    kprobes: z.array(kprobe).optional(),
  }).strict(),
}).strict().refine((p) => p.kind === 'TracingPolicy' || p.metadata.namespace !== undefined, 'a TracingPolicyNamespaced has a namespace')
  .refine((p) => (p.spec.containerSelector?.matchExpressions ?? []).every((e) => e.key === 'name' || e.key === 'repo'), 'containerSelector takes name and repo');

const action = z.enum(['Allow', 'Audit', 'Block']);
const sourcePath = z.string().max(200).regex(/^\/+.*[^/]$/);
const dir = z.string().regex(/^\/$|^\/.*\/$/);
const PROTOCOL = /^(tcp|TCP|udp|UDP|raw|RAW|icmp|ICMP|icmpv6|ICMPV6|sctp|SCTP|stream|STREAM|dgram|DGRAM|rdm|RDM|seqpacket|SEQPACKET|dccp|DCCP|packet|PACKET|all|ALL)$/;

export const KubeArmorPolicySchema = z.object({
  apiVersion: z.literal('security.kubearmor.com/v1'),
  kind: z.literal('KubeArmorPolicy'),
  metadata: metadata.extend({ namespace: name }).strict(),
  spec: z.object({
    selector: z.object({ matchLabels: z.record(z.string(), z.string()).optional() }).strict(),
    process: z.object({
      matchPaths: z.array(z.object({ path: sourcePath, ownerOnly: z.boolean().optional(), action: action.optional() }).strict()).optional(),
      matchDirectories: z.array(z.object({ dir, recursive: z.boolean().optional(), action: action.optional() }).strict()).optional(),
    }).strict().optional(),
    file: z.object({
      matchPaths: z.array(z.object({ path: sourcePath, readOnly: z.boolean().optional(), ownerOnly: z.boolean().optional(), action: action.optional() }).strict()).optional(),
      matchDirectories: z.array(z.object({ dir, recursive: z.boolean().optional(), readOnly: z.boolean().optional(), ownerOnly: z.boolean().optional(), action: action.optional() }).strict()).optional(),
    }).strict().optional(),
    network: z.object({ matchProtocols: z.array(z.object({ protocol: z.string().regex(PROTOCOL), action: action.optional() }).strict()) }).strict().optional(),
    action,
  }).strict(),
}).strict();
