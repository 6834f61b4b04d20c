import type { Finding, IntentModel, Supermodel } from '../../model/index.ts';
import type { SourceDocument } from '../document.ts';
import type { FormatResult } from '../types.ts';
import type { ComposeContext } from './context.ts';
import { projectGraph } from './graph.ts';
import { loadProjects } from './project.ts';
import { analyzeService, modelIdOf, type ServiceFacts } from './service.ts';
import { append } from '../../append.ts';

export type { BuildOptions, ComposeContext, DockerfileLike } from './context.ts';
export { isComposeFile } from './project.ts';

/**
 * Models of the services of Compose files (the Compose Specification), one supermodel
 * per project, and findings on bad input. Documents that are not compose files are
 * passed over; bad values are findings and never stop the rest.
 */
export function analyzeCompose(docs: SourceDocument[], context: ComposeContext): FormatResult {
  const findings: Finding[] = [];
  const models: IntentModel[] = [];
  const supermodels: Supermodel[] = [];
  const ids = new Map<string, number>();
  for (const project of loadProjects(docs, context, findings)) {
    const services: ServiceFacts[] = [];
    for (const unit of project.units) {
      // A service defined again in another file of the same project keeps its own model.
      const base = modelIdOf(unit);
      const n = (ids.get(base) ?? 0) + 1;
      ids.set(base, n);
      services.push(analyzeService(unit, n === 1 ? base : `${base}#${n}`, context, findings));
    }
    supermodels.push(projectGraph(project.name, services, findings));
    append(models, services.map((s) => s.model));
  }
  return { models, supermodels, findings };
}
