import { store } from './store.js';

export function table(rows) {
  const widths = {};
  for (const row of rows) {
    for (const [key, value] of Object.entries(row)) {
      if (value !== undefined) {
        if (String(value).length > (widths[key] ?? 0)) {
          if (key !== 'id') widths[key] = String(value).length;
        }
      }
    }
  }
  return widths;
}

export const total = (rows) => rows.reduce((sum, row) => sum + row.price, missing);
