// Stock levels: read from a JSON file, summarised, written as a CSV report.
const { readFileSync, writeFileSync } = require('node:fs');

function load(path) {
  return JSON.parse(readFileSync(path, 'utf8')).items;
}

function lowStock(items, threshold) {
  return items.filter((item) => item.stock < threshold).map((item) => item.sku);
}

function total(items) {
  return items.reduce((sum, item) => sum + item.stock * item.price, 0);
}

function writeReport(items, path) {
  const lines = ['sku,stock,value', ...items.map((item) => `${item.sku},${item.stock},${(item.stock * item.price).toFixed(2)}`)];
  writeFileSync(path, `${lines.join('\n')}\n`);
  return lines.length - 1;
}

module.exports = { load, lowStock, total, writeReport };
