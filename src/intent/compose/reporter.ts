import { finding, type Finding, type FindingCodeId, type Location } from '../../model/index.ts';
import { locationOf, type Field } from './layers.ts';

/** Collects findings about one service, each tied to its model. */
export class Reporter {
  readonly findings: Finding[];
  readonly service: string;
  readonly modelId: string;

  constructor(findings: Finding[], service: string, modelId: string) {
    this.findings = findings;
    this.service = service;
    this.modelId = modelId;
  }

  invalid(field: Field, message: string): void {
    this.findings.push(finding('TN007', `Service ${this.service}: ${message}; ignored`, locationOf(field), this.modelId));
  }

  add(code: FindingCodeId, message: string, location: Location): void {
    this.findings.push(finding(code, message, location, this.modelId));
  }
}
