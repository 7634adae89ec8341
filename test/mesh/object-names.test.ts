import { createHash } from 'crypto';
import { Construct, type IConstruct, RootConstruct } from 'constructs';
import { objectNameFor } from '../../lib/mesh/object-names';

/** The names as the ids below `root` give them: joined with '-', lower-cased, runs of other characters as '-'. */
function reference(construct: IConstruct, root: IConstruct, fallback = 'policy'): string {
  const ids = construct.node.scopes.slice(root.node.scopes.length).map((c) => c.node.id);
  const raw = ids
    .filter((id) => id !== 'Resource')
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const base = raw || fallback;
  if (base.length <= 63) return base;
  const hash = createHash('sha256').update(construct.node.path).digest('hex').slice(0, 8);
  return `${base.slice(0, 54).replace(/-+$/g, '')}-${hash}`;
}

describe('objectNameFor', () => {
  const app = new RootConstruct('');
  const mesh = new Construct(app, 'mesh');
  const cases: Array<[string[], string]> = [
    [['R12'], 'r12'],
    [['W0', 'Policy'], 'w0-policy'],
    [['W0', 'Resource'], 'w0'],
    [['Resource'], 'policy'],
    [['Shop', 'Front_End'], 'shop-front-end'],
    [['-a-', 'B--C'], 'a-b-c'],
    [['Ünïcode'], 'n-code'],
    [['__'], 'policy'],
    [['x'.repeat(40), 'y'.repeat(40)], `${'x'.repeat(40)}-${'y'.repeat(13)}`],
  ];
  test.each(cases)('%j -> %s (as the ids give it)', (ids, expected) => {
    const root = new Construct(app, `case-${ids.join('/')}`);
    let c: Construct = root;
    for (const id of ids) c = new Construct(c, id);
    const name = objectNameFor(c, root);
    expect(name).toBe(reference(c, root));
    expect(name.startsWith(expected)).toBe(true);
    expect(name.length).toBeLessThanOrEqual(63);
  });

  test('a root that is not an ancestor: the ids below its depth', () => {
    const other = new Construct(app, 'other');
    const c = new Construct(new Construct(mesh, 'A'), 'B');
    expect(objectNameFor(c, other)).toBe('a-b');
    expect(objectNameFor(c, other)).toBe(reference(c, other));
  });

  test('long names end in a hash of the path', () => {
    const c = new Construct(mesh, 'Z'.repeat(70));
    expect(objectNameFor(c, mesh)).toMatch(/^z{54}-[0-9a-f]{8}$/);
    expect(objectNameFor(c, mesh)).toBe(reference(c, mesh));
  });
});
