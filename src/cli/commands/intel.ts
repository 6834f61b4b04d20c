import { FeedError, loadFeed } from '../../defender/index.ts';
import { IntelIndex } from '../../intel/index.ts';
import { SqliteStore } from '../../store/index.ts';
import { parseCommandLine, type Command } from '../command.ts';
import { dataDir, existingStore, parseDuration, tableOrJson } from '../data.ts';
import { CliError } from '../errors.ts';

const USAGE = `Usage: tenet intel load FILE|URL [--name NAME] [--every DURATION] [--data DIR]
       tenet intel list [--data DIR] [--format table|json]
       tenet intel lookup ADDRESS|DOMAIN [--data DIR] [--format table|json]
       tenet intel remove NAME [--data DIR]

Threat-intelligence feeds of IP addresses, networks and domains, recognised by
content: STIX 2.1 (indicators and infrastructure), abuse.ch Feodo CSV, a CSV
with ip, category, score, first_seen, last_seen and ports columns, IPsum,
FireHOL ipset/netset, Spamhaus DROP, and plain lists. \`load\` stores a feed
(under its file name unless --name is given; loading the same name replaces
it); with --every, a running defender loads it again that often. A running
defender takes new feeds up within seconds and scores every connection and
DNS name of every container against them, whatever the model's state.
\`lookup\` says which feeds list an address or a name, with what they say.`;

export const intelCommand: Command = {
  name: 'intel',
  summary: 'threat-intelligence feeds: load, list, look up',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      data: { type: 'string' }, name: { type: 'string' }, every: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    }, USAGE);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    const [action, target] = positionals;
    const format = tableOrJson(values.format, 'table');
    if (action === 'load') {
      if (target === undefined) throw new CliError('ERR_USAGE', `intel load needs a FILE or URL\n\n${USAGE}`);
      const everySec = values.every === undefined ? undefined : parseDuration(values.every, '--every');
      let feed;
      try {
        feed = await loadFeed(target, { ...(values.name !== undefined && { name: values.name }), ...(everySec !== undefined && { everySec }) });
      } catch (e) {
        if (e instanceof FeedError) throw new CliError('ERR_BAD_FEED', e.message);
        throw e;
      }
      const store = new SqliteStore(dataDir(values.data));
      try {
        await store.putFeed(feed);
      } finally {
        await store.close();
      }
      io.stdout(`loaded ${feed.indicators.length} indicators (${feed.format}) from ${target} as ${feed.name}${feed.notes.length > 0 ? `: ${feed.notes.join('; ')}` : ''}\n`);
      return 0;
    }
    const store = existingStore(values.data);
    try {
      if (action === 'list') {
        const feeds = await store.feeds();
        if (format === 'json') io.stdout(`${JSON.stringify(feeds, null, 2)}\n`);
        else for (const f of feeds) io.stdout(`${f.name.padEnd(32)} ${String(f.count).padStart(8)} ${f.format.padEnd(14)} ${f.loadedAt}${f.everySec !== undefined ? ` every ${f.everySec} s` : ''}  ${f.source}\n`);
        return 0;
      }
      if (action === 'lookup') {
        if (target === undefined) throw new CliError('ERR_USAGE', `intel lookup needs an ADDRESS or DOMAIN\n\n${USAGE}`);
        const found = new IntelIndex(await store.feedIndicators()).lookup(target);
        if (format === 'json') io.stdout(`${JSON.stringify(found, null, 2)}\n`);
        else if (found.length === 0) io.stdout(`${target}: listed by no feed\n`);
        else for (const p of found) io.stdout(`${target}: ${p.feed} (${[p.category, p.maintainer, p.malware, p.score !== undefined ? `score ${p.score}` : undefined, p.reference].filter(Boolean).join(', ')})\n`);
        return 0;
      }
      if (action === 'remove') {
        if (target === undefined) throw new CliError('ERR_USAGE', `intel remove needs a NAME\n\n${USAGE}`);
        if (!await store.removeFeed(target)) throw new CliError('ERR_USAGE', `no feed named ${target}; \`tenet intel list\` shows them`);
        io.stdout(`removed ${target}\n`);
        return 0;
      }
      throw new CliError('ERR_USAGE', `intel needs an action: load, list, lookup or remove\n\n${USAGE}`);
    } finally {
      await store.close();
    }
  },
};
