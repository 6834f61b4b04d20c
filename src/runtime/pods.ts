/**
 * The workload a Kubernetes pod belongs to, from what the kubelet passes to
 * the runtime (it never passes the owner's kind): the pod's name and labels.
 * A Deployment's pods are `NAME-HASH-xxxxx` with `pod-template-hash: HASH`; a
 * StatefulSet's `NAME-N` with `statefulset.kubernetes.io/pod-name`; a
 * DaemonSet's `NAME-xxxxx` with `pod-template-generation`; a Job's carry
 * `job-name` (and a CronJob's job is `NAME-MINUTES`); any other pod is its own.
 */
export interface PodWorkload {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob' | 'Pod';
  name: string;
}

/** The random suffix the API server adds to a generated name: five of its lowercase consonants and digits. */
const GENERATED = /^[bcdfghjklmnpqrstvwxz2456789]{5}$/;

export function podWorkload(pod: string, labels: Readonly<Record<string, string>>): PodWorkload {
  const hash = labels['pod-template-hash'];
  if (hash !== undefined && pod.includes(`-${hash}-`)) return { kind: 'Deployment', name: pod.slice(0, pod.lastIndexOf(`-${hash}-`)) };
  if (labels['statefulset.kubernetes.io/pod-name'] === pod) {
    const ordinal = /^(.+)-\d+$/.exec(pod);
    if (ordinal !== null) return { kind: 'StatefulSet', name: ordinal[1]! };
  }
  const job = labels['batch.kubernetes.io/job-name'] ?? labels['job-name'];
  if (job !== undefined) {
    // a CronJob names its jobs NAME-<scheduled time in minutes since the epoch>
    const scheduled = /^(.+)-(\d{8,})$/.exec(job);
    return scheduled !== null ? { kind: 'CronJob', name: scheduled[1]! } : { kind: 'Job', name: job };
  }
  if (labels['pod-template-generation'] !== undefined && labels['controller-revision-hash'] !== undefined) {
    const dash = pod.lastIndexOf('-');
    if (dash > 0 && GENERATED.test(pod.slice(dash + 1))) return { kind: 'DaemonSet', name: pod.slice(0, dash) };
  }
  return { kind: 'Pod', name: pod };
}
