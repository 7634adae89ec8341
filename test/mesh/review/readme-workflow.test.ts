import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { MeshAssertions, MeshReviewFiles, meshDiagram } from '../../../lib';
import { ZeroTrustStack } from '../../../examples/zero-trust';

/**
 * The README's "Reviewing a mesh in a pull request" section shows test code, a diagram, an explanation and a file
 * header. test/readme.test.ts checks `ts` fences against examples/; this checks the section's fences against what
 * they claim to show: the test code is an excerpt of test/examples/examples.test.ts (which the type check compiles
 * and jest runs), and the outputs are what the library produces for examples/zero-trust.ts.
 */
const root = path.resolve(__dirname, '../../..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const section = readme.slice(
  readme.indexOf('## Reviewing a mesh in a pull request'),
  readme.indexOf('License: Apache-2.0.'),
);
const fences = (lang: string) =>
  [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
const normalize = (t: string) =>
  t
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

test('the section exists and shows the workflow', () => {
  expect(section).toMatch(/^## Reviewing a mesh in a pull request/);
  expect(fences('typescript')).toHaveLength(2);
});

test.each(fences('typescript').map((f, i) => [i + 1, f] as const))(
  'test code %i is an excerpt of test/examples/examples.test.ts',
  (_, code) => {
    const lines = normalize(fs.readFileSync(path.join(root, 'test/examples/examples.test.ts'), 'utf8'));
    const snippet = normalize(code);
    const found = lines.some((_l, i) => snippet.every((s, j) => lines[i + j] === s));
    expect({ snippet, found }).toEqual({ snippet, found: true });
  },
);

test('the diagram, the explanation and the file header are what the library produces for zero-trust', () => {
  const stack = new ZeroTrustStack(new App(), 'ZeroTrust');
  expect(fences('mermaid')[0]).toEqual(meshDiagram(stack.mesh));
  expect(fences('text')[0].trimEnd()).toEqual(
    MeshAssertions.of(stack.mesh).explain('shop/frontend', 'shop/database', 5432).explanation,
  );
  const yaml = MeshReviewFiles.filesOf(stack).find((f) => f.fileName === 'ZeroTrust.shop.mesh.yaml')!.content;
  expect(yaml.startsWith(fences('yaml')[0])).toBe(true);
});
