import { FINDING_CODES, jsonSchemaOf, PUBLISHED_SCHEMAS, type FindingCode } from '../src/model/index.ts';
import { kubernetesManifests } from '../deploy/kubernetes/manifests.ts';
import { ERRORS } from '../src/cli/errors.ts';
import { API_ERRORS, ROUTES } from '../src/console/index.ts';
import { INCIDENT_WINDOW_MS, LINK_MS, PATTERNS, RULES } from '../src/detect/index.ts';
import { CONVERGENCE, SYSCALL_FAMILIES } from '../src/learn/index.ts';


/** docs/findings.md, from the finding catalog. */
export function findingsDoc(): string {
  const entries = Object.entries(FINDING_CODES as Record<string, FindingCode>);
  const section = (title: string, filter: (code: string) => boolean) => [
    `## ${title}`,
    '',
    '| code | name | severity | title |',
    '|---|---|---|---|',
    ...entries.filter(([code]) => filter(code)).map(([code, e]) => `| [${code}](#${code.toLowerCase()}) | \`${e.name}\` | ${e.severity} | ${e.title} |`),
    '',
  ];
  return [
    '# Findings',
    '',
    '<!-- Generated from src/model/finding-codes.ts by `npm run docs`; do not edit by hand. -->',
    '',
    '`tenet analyze` reports two kinds of findings, each with a stable code, a severity,',
    'a one-line message and a location (file, line and, for YAML/JSON, the path of the value).',
    'Codes are never reused. Input findings marked *unusable* make the exit code 2; the others',
    'make it 1 when they are at least as severe as `--fail-on` (default `high`).',
    '',
    ...section('Input (TN0xx)', (code) => code < 'TN100'),
    ...section('Risky intent (TN1xx)', (code) => code >= 'TN100'),
    '## Details',
    '',
    ...entries.flatMap(([code, e]) => [
      `### ${code}`,
      '',
      `**${e.title}** (\`${e.name}\`, ${e.severity}${e.unusable ? ', unusable input: exit code 2' : ''})`,
      '',
      e.help,
      '',
    ]),
  ].join('\n');
}

/** docs/errors.md, from the CLI's and the API's error catalogs. */
export function errorsDoc(): string {
  return [
    '# Errors',
    '',
    '<!-- Generated from src/cli/errors.ts and src/console/api.ts by `npm run docs`; do not edit by hand. -->',
    '',
    '## CLI',
    '',
    'When Tenet cannot do a run at all it prints `tenet: ERR_…: message` on standard error and exits 2.',
    'Problems inside the input are not errors but findings (see findings.md).',
    '',
    '| code | meaning |',
    '|---|---|',
    ...Object.entries(ERRORS).map(([code, text]) => `| \`${code}\` | ${text} |`),
    '',
    '## Console API',
    '',
    'The API answers an error with its HTTP status and `{ "error": { "code": "ERR_…", "message": "…", "details": … } }`;',
    'every refused request is logged with its code and request id (`X-Request-Id`).',
    '',
    '| code | status | meaning |',
    '|---|---|---|',
    ...Object.entries(API_ERRORS).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.text} |`),
    '',
  ].join('\n');
}

/** docs/api.md, from the console's routes. */
export function apiDoc(): string {
  return [
    '# Console API',
    '',
    '<!-- Generated from src/console/routes by `npm run docs`; do not edit by hand. -->',
    '',
    'Every route is under `/api/v1`; the console serves the full OpenAPI 3.1 document at `/api/v1/openapi.json`.',
    'Credentials: HTTP basic (`curl -u user:password`), an API token (`Authorization: Bearer tnt_…`), or the',
    'session cookie of `POST /session` (changes then carry `X-CSRF-Token`). Roles, from the least: `auditor`',
    'reads everything but users and tokens, `operator` also changes policy, `admin` also manages users and tokens.',
    'Listings return `{ "items": [...], "next": CURSOR }`; pass `cursor=CURSOR` (and `limit`, at most 1000) for the next page.',
    'Errors: see [errors.md](errors.md#console-api).',
    '',
    '| method | path | role | what |',
    '|---|---|---|---|',
    ...ROUTES.map((r) => `| ${r.route.method.toUpperCase()} | \`${r.route.path}\` | ${r.role} | ${r.route.summary ?? ''} |`),
    '',
  ].join('\n');
}

/** docs/rules.md, from the rule catalog. */
export function rulesDoc(): string {
  return [
    '# Detection rules',
    '',
    '<!-- Generated from src/detect/rules/ by `npm run docs`; do not edit by hand. -->',
    '',
    'Every audit names one of these rules. Model rules report what an active model lacks; the others need no model',
    'and are checked on every event, whatever the model\'s state (learning included).',
    '',
    '| rule | severity | ATT&CK | events | needs a model | title |',
    '|---|---|---|---|---|---|',
    ...RULES.map((r) => `| [\`${r.id}\`](#${r.id}) | ${r.severity} | [${r.technique.id}](https://attack.mitre.org/techniques/${r.technique.id.replace('.', '/')}/) ${r.technique.name} | ${r.kinds.join(', ')} | ${r.needsModel ? 'yes' : 'no'} | ${r.title} |`),
    '',
    '## Details',
    '',
    ...RULES.flatMap((r) => [`### ${r.id}`, '', `**${r.title}** (${r.severity}${r.dimension !== undefined ? `, model dimension \`${r.dimension}\`` : ''})`, '', r.description, '']),
  ].join('\n');
}

/** docs/incidents.md, from the pattern catalog. */
export function incidentsDoc(): string {
  return [
    '# Incident patterns',
    '',
    '<!-- Generated from src/detect/incidents.ts by `npm run docs`; do not edit by hand. -->',
    '',
    'An incident is one attack chain on one container. An audit joins the open story it is linked to, and otherwise',
    'starts a story of its own, so two chains on one container are two incidents:',
    '',
    '- **the same process tree**: its process, or an ancestor, is one whose exec the story audited (a shell, a dropped',
    '  program) — with every program in between, audited or not;',
    '- **a file written, then run**: it runs a file the story wrote;',
    `- **close in time** (within ${LINK_MS / 1000} s of the story's last use of it): the same process of the container's own program`,
    '  (a server reading credentials, then connecting out), the same peer address, the same DNS name.',
    '',
    'An audit linked to two stories makes them one (a shell\'s forked child connects out before its exec names its',
    'parent): the later incident is removed, its audits are in the earlier one (`mergedInto` says which). A story with',
    `no new audit for ${INCIDENT_WINDOW_MS / 60_000} minutes is over. Once a story's audits match a pattern it is an incident; the first`,
    'pattern in this list that matches names it, so a story that grows becomes more precise. An incident carries its',
    'container and image, its ATT&CK techniques, the model it was checked against and the entries its audits lacked.',
    '',
    'Its timeline has one line per kind of thing done: the audits of one rule by one program on one peer, folder, DNS or',
    'syscall are one line with their count, distinct values and a summary (`109 ports of 10.0.0.5 in 2 s`); an exec by its',
    'message. A shell\'s connections to a peer being scanned are the scan, not a reverse shell. Audits that match no',
    'pattern (a lone unexpected syscall) stay audits.',
    '',
    '| pattern | severity | title | what it is |',
    '|---|---|---|---|',
    ...PATTERNS.map((p) => `| \`${p.id}\` | ${p.severity} | ${p.title} | ${p.description} |`),
    '',
  ].join('\n');
}

/** docs/learning.md, from the convergence defaults and the syscall families. */
export function learningDoc(): string {
  const c = CONVERGENCE;
  return [
    '# When learning ends',
    '',
    '<!-- Generated from src/learn/model-learner.ts and src/learn/syscall-families.ts by `npm run docs`; do not edit by hand. -->',
    '',
    'A model learns from its image\'s containers until it has **converged**, or at the latest for `--learn-for` of observed',
    'time (time with at least one of its containers running; default 1h). Other products end learning on a timer only;',
    'a model that settled in ten minutes need not wait an hour, and one still finding new behaviour should not stop.',
    '',
    'Per dimension (processes, listening ports, peers, DNS names, writable paths, sensitive reads, syscalls,',
    'capabilities), learning has converged once the dimension learned nothing new for the longest of:',
    '',
    `- **${c.quietSec} s** of observed time;`,
    `- **${c.quietFactor === 1 ? 'as long as' : `${c.quietFactor} times`}** the observed time its last new entry took to appear (an entry first seen after`,
    '  20 minutes asks for 20 minutes of quiet after it);',
    `- **${c.repeatFactor} times the longest a known entry went unseen** before it came again: a healthcheck every 5 minutes, a job`,
    `  every 10, ask for ${c.repeatFactor} of their periods of quiet, so the next run is seen before the model is enforced.`,
    '',
    `The model converges when every dimension has, after at least ${c.minEvents} events (an idle container learns nothing, and`,
    'learns for the whole window). A dimension that reached its size bound (`learning.overflow`) does not wait.',
    '',
    '`tenet models --format json` shows it in `learning.convergence`: `converged`, `by` (`convergence` or `window`: what',
    'ended learning), the events learned from, when each dimension last learned something new (`lastNewSec`), its longest',
    'repeat (`repeatSec`), and `waiting`: each dimension that still moves with how long it has been quiet, how long it',
    'must be, and why (`new 51 s ago; quiet needed: at least 300 s`). A restarted defender goes on from what the store',
    'kept. `tenet defender --no-converge` learns for the whole window.',
    '',
    '## Syscall families',
    '',
    'A syscall learned brings the other forms of the same operation with it, so a program that used `epoll_wait` while',
    'learning is not an alarm the first time it calls `epoll_ctl` once active. No family holds a call that changes what a',
    'process may reach (`mount`, `ptrace`, `setns`, `unshare`, `bpf`, module loading) or runs a file without a path',
    '(`execveat`): those are learned one by one. The model says how many syscalls were observed and how many came with',
    'their family.',
    '',
    '| family |',
    '|---|',
    ...SYSCALL_FAMILIES.map((f) => `| ${f.map((name) => `\`${name}\``).join(', ')} |`),
    '',
    '## Models that heal',
    '',
    'A model can turn out too tight: a call, a path or a peer its containers need and did not show while it learned. An',
    'active model\'s deviation that came with no other signal — no known-bad rule, no threat intelligence, its story no',
    'incident — and that every running replica made (two containers at least: a lone replica\'s counts once its',
    'replacement makes it too) is **proposed** as an amendment with its evidence: how many audits, which containers, from',
    'when to when, the first audits, and in prevent how often it was stopped (what the tight model broke).',
    '',
    '```sh',
    'tenet models proposals --data DIR            # every proposal, open and decided, with why',
    'tenet models accept PROPOSAL --data DIR      # taken into its model, as a learned entry',
    'tenet models reject PROPOSAL --data DIR      # kept out; never proposed again',
    'tenet defender --heal syscalls,writable:5    # these dimensions accepted by themselves after 5 audits',
    '```',
    '',
    'A running defender takes a decision up within a second; the proposals are kept in the store (`proposals`,',
    '[schema](schema/proposal.schema.json)) and a restarted defender goes on with them.',
    '',
  ].join('\n');
}

/** Every generated document, by its path in the repository. */
export function generatedDocs(): Map<string, string> {
  const docs = new Map<string, string>([
    ['docs/findings.md', findingsDoc()],
    ['docs/errors.md', errorsDoc()],
    ['docs/api.md', apiDoc()],
    ['docs/rules.md', rulesDoc()],
    ['docs/incidents.md', incidentsDoc()],
    ['docs/learning.md', learningDoc()],
  ]);
  for (const [path, text] of kubernetesManifests()) docs.set(path, text);
  for (const name of Object.keys(PUBLISHED_SCHEMAS) as Array<keyof typeof PUBLISHED_SCHEMAS>) {
    docs.set(`docs/schema/${name}`, `${JSON.stringify(jsonSchemaOf(name), null, 2)}\n`);
  }
  return docs;
}
