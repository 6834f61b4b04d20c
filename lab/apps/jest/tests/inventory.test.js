const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { load, lowStock, total, writeReport } = require('../src/inventory');

const items = load(join(__dirname, '..', 'fixtures', 'inventory.json'));

test('reads the inventory', () => {
  expect(items).toHaveLength(4);
});

test('finds what is low on stock', () => {
  expect(lowStock(items, 5)).toEqual(['ink-black', 'stapler']);
});

test('values the stock', () => {
  expect(total(items)).toBeCloseTo(120 * 1.5 + 4 * 7.25 + 38 * 4 + 2 * 12.9);
});

test('writes a CSV report and reads it back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-'));
  try {
    expect(writeReport(items, join(dir, 'report.csv'))).toBe(4);
    expect(readFileSync(join(dir, 'report.csv'), 'utf8')).toContain('ink-black,4,29.00');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
