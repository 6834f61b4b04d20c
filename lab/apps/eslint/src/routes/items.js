import { store } from '../lib/store.js';

export function items(request) {
  var limit = Number(request.query.limit ?? 10);
  if (limit == 0) return { status: 400, body: 'limit must be positive' };
  return { status: 200, body: store.list().slice(0, limit) };
}
