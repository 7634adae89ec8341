import type { IConstruct } from 'constructs';

/** A walked tree: its constructs in pre-order and, for each, the index after its last descendant. */
interface Walked {
  readonly all: IConstruct[];
  readonly ends: number[];
}

/**
 * The constructs of construct trees, each tree walked once in pre-order (the order of `node.findAll()`) and shared by
 * the readers of one step during which the tree does not change: a delivery's materialization (its charts' objects,
 * the validation before them, the warnings recorded on their constructs, the review diagram's workloads), one
 * `ServiceMesh.warnings`. Made for that step by whoever runs it and handed to the readers, never kept on a construct
 * or in a module: the tree can change until the CDK app synthesizes (aspects run then), and what users read at any
 * time comes from a walk of its own.
 *
 * Why: at 20,000 objects (~40,000 constructs) one `cdk synth` of a delivered mesh walked its cdk8s app four times
 * with `findAll()` (162,782 `node.children` calls, each a new array; ~125 ms in `findAll` in a warm profile); with one
 * walk, 42,899 calls and ~30 ms.
 */
export class ConstructWalk {
  private readonly trees = new Map<IConstruct, Walked>();
  private readonly found = new Map<IConstruct, readonly IConstruct[]>();

  /**
   * `scope.node.findAll()`: `scope` and the constructs below it in pre-order, as the tree was when this walk first
   * read it (the whole tree, from its root: later calls for other scopes of the tree read the same walk).
   * Read the array, do not change it.
   */
  public findAll(scope: IConstruct): readonly IConstruct[] {
    let found = this.found.get(scope);
    if (found === undefined) {
      found = this.read(scope);
      this.found.set(scope, found);
    }
    return found;
  }

  private read(scope: IConstruct): readonly IConstruct[] {
    const root = scope.node.root;
    let tree = this.trees.get(root);
    if (tree === undefined) {
      tree = walk(root);
      this.trees.set(root, tree);
    }
    const i = scope === root ? 0 : tree.all.indexOf(scope);
    if (i < 0) {
      // added to the tree after it was walked: walked on its own
      return walk(scope).all;
    }
    return i === 0 ? tree.all : tree.all.slice(i, tree.ends[i]);
  }
}

/**
 * `root` and every construct below it in pre-order, each node's children as `node.children` lists them (as
 * `findAll()` reads them). Reading constructs' private `_children` record instead (no array per construct) was
 * measured at 20,000 objects: ~20 ms per walk instead of ~23 (the walk's cost is reaching 40,000 constructs scattered
 * in memory, not the arrays), not worth depending on a private field.
 */
function walk(root: IConstruct): Walked {
  const tree: Walked = { all: [], ends: [] };
  visit(tree, root);
  return tree;
}

function visit(tree: Walked, c: IConstruct): void {
  const i = tree.all.length;
  tree.all.push(c);
  tree.ends.push(i + 1);
  for (const child of c.node.children) {
    visit(tree, child);
  }
  tree.ends[i] = tree.all.length;
}
