import { Construct, Node, RootConstruct } from 'constructs';
import { ConstructWalk } from '../../lib/private/construct-walk';

/** A small tree with integer-like ids (listed first by `node.children`) and a deep branch. */
function tree() {
  const root = new RootConstruct();
  const a = new Construct(root, 'a');
  const b = new Construct(root, 'b');
  for (const id of ['x', '2', '10']) new Construct(a, id);
  const deep = new Construct(new Construct(b, 'y'), 'z');
  new Construct(deep, 'leaf');
  return { root, a, b, deep, leaf: deep.node.findChild('leaf') };
}

describe('ConstructWalk', () => {
  test("gives each scope's node.findAll(), reading every construct's children once for all scopes of the tree", () => {
    const { root, a, b, deep, leaf } = tree();
    const scopes = [b, root, a, deep, leaf];
    const expected = scopes.map((s) => s.node.findAll());
    expect(expected[2].map((c) => c.node.id)).toEqual(['a', '2', '10', 'x']);
    const reads = jest.spyOn(Node.prototype, 'children', 'get');
    try {
      const walk = new ConstructWalk();
      expect(scopes.map((s) => walk.findAll(s))).toEqual(expected);
      expect(walk.findAll(a)).toBe(walk.findAll(a));
      expect(reads).toHaveBeenCalledTimes(expected[1].length);
    } finally {
      reads.mockRestore();
    }
  });

  test('is the tree as it was when first read: constructs added later are in a new walk only', () => {
    const { root, a } = tree();
    const walk = new ConstructWalk();
    const before = [...walk.findAll(root)];
    const c = new Construct(root, 'c');
    const d = new Construct(c, 'd');
    new Construct(a, 'late');
    expect(walk.findAll(root)).toEqual(before);
    expect(walk.findAll(a).map((x) => x.node.id)).toEqual(['a', '2', '10', 'x']);
    // a scope the walk did not see is walked on its own
    expect(walk.findAll(c)).toEqual([c, d]);
    expect(new ConstructWalk().findAll(root)).toEqual(root.node.findAll());
  });
});
