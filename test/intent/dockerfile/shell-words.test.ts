import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expand, parseJsonArray, splitWords, takeFlags } from '../../../src/intent/dockerfile/shell-words.ts';

const env: Record<string, string> = { PORT: '8080', EMPTY: '', NAME: 'app', FILE: 'archive.tar.gz', PORTS: '80 443' };
const lookup = (name: string) => env[name];
const value = (text: string, escape?: string) => expand(text, lookup, escape).value;

test('plain, braced and defaulted references expand as Docker does', () => {
  assert.equal(value('$PORT'), '8080');
  assert.equal(value('${PORT}/tcp'), '8080/tcp');
  assert.equal(value('${MISSING:-9090}'), '9090');
  assert.equal(value('${EMPTY:-9090}'), '9090');
  assert.equal(value('${EMPTY-9090}'), '');
  assert.equal(value('${MISSING-9090}'), '9090');
  assert.equal(value('${PORT:+set}'), 'set');
  assert.equal(value('${EMPTY:+set}'), '');
  assert.equal(value('${EMPTY+set}'), 'set');
  assert.equal(value('${MISSING:+set}'), '');
  assert.equal(value('${MISSING:-${NAME}-x}'), 'app-x');
  assert.equal(value('cost: $5 and $'), 'cost:  and $');
});

test('pattern modifiers trim prefixes and suffixes, shortest or longest', () => {
  assert.equal(value('${FILE%.*}'), 'archive.tar');
  assert.equal(value('${FILE%%.*}'), 'archive');
  assert.equal(value('${FILE#*.}'), 'tar.gz');
  assert.equal(value('${FILE##*.}'), 'gz');
  assert.equal(value('${FILE/tar/zip}'), 'archive.zip.gz');
  assert.equal(value('${FILE//a/A}'), 'Archive.tAr.gz');
});

test('quotes and escapes are removed; single quotes keep $ literal', () => {
  assert.equal(value('"hello $NAME"'), 'hello app');
  assert.equal(value("'hello $NAME'"), 'hello $NAME');
  assert.equal(value('\\$NAME'), '$NAME');
  assert.equal(value('"a \\"quoted\\" word"'), 'a "quoted" word');
  assert.equal(value('`$NAME', '`'), '$NAME');
  assert.equal(value('c:\\dir', '`'), 'c:\\dir');
});

test('unresolved references are listed only when no default is given', () => {
  assert.deepEqual(expand('${A}:$B:${C:-x}:${D:+y}:${E-z}', lookup).unresolved, ['A', 'B']);
  assert.deepEqual(expand('${F:?must be set}', lookup).unresolved, ['F']);
});

test('words split after expansion, except inside quotes', () => {
  assert.deepEqual(expand('$PORTS "a b" c', lookup).words, ['80', '443', 'a b', 'c']);
});

test('syntax errors are data: the text comes back with the reason', () => {
  for (const bad of ['${', '${PORT', '${:x}', '"open', "'open", '${PORT:x}', '${PORT/a}']) {
    const result = expand(bad, lookup);
    assert.equal(typeof result.error, 'string', bad);
    assert.equal(result.value, '');
  }
});

test('name=value words keep their quotes for the expansion to remove', () => {
  assert.deepEqual(splitWords('A="x y" B=\'$z\' C=d\\ e'), ['A="x y"', "B='$z'", 'C=d\\ e']);
  assert.deepEqual(splitWords('  '), []);
});

test('leading flags come off the arguments', () => {
  const { flags, rest } = takeFlags('--from=build --chown="1000:1000" --link /src /dst');
  assert.deepEqual([...flags], [['from', 'build'], ['chown', '1000:1000'], ['link', undefined]]);
  assert.equal(rest, '/src /dst');
  assert.deepEqual(takeFlags('-- --not-a-flag').rest, '--not-a-flag');
});

test('exec form is a JSON array of strings and nothing else', () => {
  assert.deepEqual(parseJsonArray(' ["a", "b c"] '), ['a', 'b c']);
  assert.equal(parseJsonArray('[a, b]'), undefined);
  assert.equal(parseJsonArray('["a", 1]'), undefined);
  assert.equal(parseJsonArray('echo [x]'), undefined);
});
