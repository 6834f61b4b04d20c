import type { SourceDocument } from '../document.ts';
import type { FormatResult } from '../types.ts';
import { analyzeApp } from './app.ts';
import { collectRunSpecs } from './collect.ts';
import { connect } from './graph.ts';
import { newContext } from './node.ts';
import { mesosDnsLabel } from './paths.ts';
import { analyzePod } from './pod.ts';
import type { Shared } from './service.ts';

export { isMarathonDocument } from './detect.ts';

/**
 * Declared intent of Marathon definitions (apps, lists of apps, groups, pods and
 * `/v2/apps` answers): one model per app and per pod container, and one supermodel
 * per group whose edges follow `dependencies` and the apps that env values name
 * through Mesos-DNS, marathon-lb or DC/OS VIPs. Takes the documents of all files at
 * once, since an app and what it depends on may live apart.
 */
export function analyzeMarathon(docs: SourceDocument[]): FormatResult {
  const ctx = newContext();
  const specs = collectRunSpecs(ctx, docs);
  const shared: Shared = {
    ctx,
    digests: new Map(),
    knownHosts: new Set([...specs.map((spec) => mesosDnsLabel(spec.id)), 'marathon-lb']),
  };
  const services = specs.map((spec) => (spec.kind === 'app' ? analyzeApp(shared, spec) : analyzePod(shared, spec)));
  const supermodels = connect(ctx, services);
  return {
    models: services.flatMap((s) => s.models),
    supermodels,
    // In reading order, as the same input always gives the same output.
    findings: ctx.findings.sort((a, b) => (a.location.file < b.location.file ? -1 : a.location.file > b.location.file ? 1 : a.location.line - b.location.line)),
  };
}
