import { parseImage } from '../intent/index.ts';
import { IntentModel } from '../model/index.ts';
import type { ModelQuery, RecordQuery, StoredImage } from './store.ts';

/** What a store indexes of a model, to filter without reading bodies. */
export function modelColumns(model: IntentModel): { image: string | null; repository: string | null; namespace: string | null } {
  return {
    image: model.image ?? null,
    repository: model.image === undefined ? null : parseImage(model.image).repository,
    namespace: model.workload?.namespace ?? null,
  };
}

/** Commands are kept this long for defenders that were away. */
export const COMMANDS_KEPT_MS = 7 * 86400_000;

/** Records a page holds when the query does not say (and at most). */
export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 1000;

export const pageSize = (limit: number | undefined) => Math.min(Math.max(1, limit ?? PAGE_DEFAULT), PAGE_MAX);

/** A page from `size + 1` rows fetched newest first: the rows, and the key of the next page when the extra one came. */
export function pageOfRows<R, T, K>(rows: readonly R[], size: number, item: (row: R) => T, key: (row: R) => K): { items: T[]; next?: K } {
  const items = rows.slice(0, size).map(item);
  return rows.length > size ? { items, next: key(rows[size - 1]!) } : { items };
}

export type RecordTable = 'audits' | 'events' | 'incidents';

/** The filters of each record query, by the column they read. */
const FILTERS: Readonly<Record<RecordTable, Partial<Record<keyof RecordQuery, string>>>> = {
  audits: { since: 'time', until: 'time', container: 'container', model: 'model', rule: 'rule', severity: 'severity' },
  incidents: { since: 'last_seen', until: 'last_seen', container: 'container', pattern: 'pattern', severity: 'severity' },
  events: { since: 'time', until: 'time', container: 'container', kind: 'kind' },
};

/** The WHERE of a record query (placeholders `?`, values bound, never spliced) over a table with a `seq` column. */
export function recordWhere(table: RecordTable, query: RecordQuery): { where: string; params: Array<string | number> } {
  const where = ['seq < ?'];
  const params: Array<string | number> = [query.before ?? Number.MAX_SAFE_INTEGER];
  for (const [key, column] of Object.entries(FILTERS[table]) as Array<[keyof RecordQuery, string]>) {
    const value = query[key];
    if (value === undefined) continue;
    where.push(key === 'since' ? `${column} >= ?` : key === 'until' ? `${column} < ?` : `${column} = ?`);
    params.push(value);
  }
  return { where: where.join(' AND '), params };
}

/** Every filter a record table has. */
export const filtersOf = (table: RecordTable) => Object.keys(FILTERS[table]) as Array<keyof RecordQuery>;

/** The WHERE of a model query, by id after `after`. */
export function modelWhere(query: ModelQuery): { where: string; params: string[] } {
  const where = ['id > ?'];
  const params = [query.after ?? ''];
  if (query.image !== undefined) {
    where.push('(image = ? OR repository = ?)');
    params.push(query.image, query.image);
  }
  if (query.namespace !== undefined) {
    where.push('namespace = ?');
    params.push(query.namespace);
  }
  if (query.state !== undefined) {
    where.push('state = ?');
    params.push(query.state);
  }
  return { where: where.join(' AND '), params };
}

/** A stored image as read back: its model checked against the schema. */
export function storedImage(body: StoredImage): StoredImage {
  return { ...body, ...(body.model !== undefined && { model: IntentModel.parse(body.model) }) };
}
