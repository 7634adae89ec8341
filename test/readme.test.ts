import * as fs from 'fs';
import * as path from 'path';

/**
 * Every TypeScript snippet in the README is an excerpt of an example (which the type check compiles and
 * test/examples synthesizes), so the README cannot show code that does not compile.
 */
const root = path.resolve(__dirname, '..');
const normalize = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
const examples = fs
  .readdirSync(path.join(root, 'examples'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ file: f, lines: normalize(fs.readFileSync(path.join(root, 'examples', f), 'utf8')) }));
const snippets = [...fs.readFileSync(path.join(root, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) =>
  normalize(m[1]),
);

function containedIn(snippet: string[], lines: string[]): boolean {
  for (let i = 0; i + snippet.length <= lines.length; i++) {
    if (snippet.every((l, j) => lines[i + j] === l)) return true;
  }
  return false;
}

test('the README has TypeScript snippets', () => {
  expect(snippets.length).toBeGreaterThanOrEqual(4);
});

test.each(snippets.map((s, i) => [i + 1, s] as const))(
  'README snippet %i is an excerpt of an example',
  (_, snippet) => {
    const where = examples.filter((e) => containedIn(snippet, e.lines)).map((e) => e.file);
    expect({ snippet: snippet.join('\n'), found: where.length > 0 }).toEqual({
      snippet: snippet.join('\n'),
      found: true,
    });
  },
);
