const { slug, wrap } = require('../src/text');

test.each([
  ['Hello World', 'hello-world'],
  ['  Crème brûlée!  ', 'creme-brulee'],
  ['a_b-c d', 'a-b-c-d'],
])('slug(%j) is %j', (title, expected) => {
  expect(slug(title)).toBe(expected);
});

test('wraps text at a width', () => {
  expect(wrap('the quick brown fox jumps over the lazy dog', 10)).toEqual(['the quick', 'brown fox', 'jumps over', 'the lazy', 'dog']);
});
