import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { analyze } from '../../src/intent/index.ts';
import type { Analysis } from '../../src/model/index.ts';
import { collectInputs } from '../../src/cli/inputs.ts';
import { FIXTURES } from '../fixtures.ts';

const schema = (name: string) => JSON.parse(readFileSync(new URL(`../../docs/schema/${name}`, import.meta.url), 'utf8'));

test('the exported JSON Schema validates real output and rejects a broken model', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validateAnalysis = ajv.compile(schema('analysis.schema.json'));
  const { inputs } = collectInputs([FIXTURES], 10 * 1024 * 1024);
  const analysis = JSON.parse(JSON.stringify(analyze(inputs))) as Analysis;
  assert.ok(validateAnalysis(analysis), ajv.errorsText(validateAnalysis.errors));

  const validateModel = ajv.compile(schema('intent-model.schema.json'));
  const model = analysis.models.find((m) => m.workload !== undefined);
  assert.ok(model?.workload);
  assert.ok(validateModel(model), ajv.errorsText(validateModel.errors));
  assert.equal(validateModel({ ...model, state: 'sleeping' }), false);
  assert.equal(validateModel({ ...model, network: { ...model.network, listen: [{ port: 70000, protocol: 'tcp', sources: [] }] } }), false);
  const { sources: _dropped, ...withoutSources } = model.workload;
  assert.equal(validateModel({ ...model, workload: withoutSources }), false);
});

test('the RuntimeEvent schema holds every event the adapters make of the fixtures, and refuses a wrong kind', async () => {
  const { fromFalco, fromTetragon, fromTracee } = await import('../../src/sensor/index.ts');
  const { convertAll } = await import('../sensor/fixtures.ts');
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(schema('runtime-event.schema.json'));
  const events = [convertAll('falco', fromFalco), convertAll('tetragon', fromTetragon), convertAll('tracee', fromTracee)].flatMap((r) => r.events);
  assert.ok(events.length > 100);
  for (const { where, event } of events) assert.ok(validate(JSON.parse(JSON.stringify(event))), `${where}: ${ajv.errorsText(validate.errors)}`);
  assert.equal(validate({ ...events[0]!.event, kind: 'teleport' }), false);
});
