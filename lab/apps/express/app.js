// A small in-memory API: the routes the lab's workload calls.
const express = require('express');

const app = express();
app.use(express.json());
const items = [];

app.get('/healthz', (req, res) => res.send('ok'));
app.get('/items', (req, res) => res.json(items));
app.post('/items', (req, res) => {
  items.push(req.body);
  res.status(201).json({ id: items.length - 1, ...req.body });
});
app.get('/items/:id', (req, res) => {
  const item = items[Number(req.params.id)];
  if (item === undefined) res.status(404).json({ error: 'not found' });
  else res.json(item);
});
app.delete('/items/:id', (req, res) => {
  items[Number(req.params.id)] = undefined;
  res.sendStatus(204);
});

module.exports = app;
