/**
 * Which generated classes (lib/imports/*.ts) map their props to the wire form without changing them, once cdk8s has
 * resolved and sanitized them. scripts/import-crds.ts appends the answer to each generated module as
 * `IDENTITY_MAPPED_CLASSES`; `MeshObject` skips the mapping of those classes (lib/mesh/rendered-object.ts).
 *
 * Why: the mapping (`toJson_<Class>Props` and the functions it calls) rebuilds every object of an HTTPRoute or a
 * CiliumEnvoyConfig member by member, and V8 compiled those functions, once hot, for ~275 ms at 20,000 objects
 * (`node --trace-opt`, bench/realistic.ts). For most classes it returns what it is given: every member keeps its name,
 * and the members come out in sorted order, the order the sanitized props have.
 */

/** A mapping function as cdk8s import writes it: its members, wire name and expression. */
interface Mapping {
  readonly members: ReadonlyArray<readonly [wire: string, expression: string]>;
}

const FUNCTION =
  /\nexport function toJson_(\w+)\(obj: [^\n]*\{\n {2}if \(obj === undefined\) \{ return undefined; \}\n {2}const result = \{\n([\s\S]*?)\n {2}\};\n/g;
const MEMBER = /^ {4}'([^']+)': (.*),$/;

/** The expressions a member can have and still be unchanged, given the names of mappings that leave values as they are. */
function memberIsIdentity(wire: string, expression: string, isIdentity: (fn: string) => boolean): boolean {
  const field = `obj.${wire}`;
  if (expression === field || expression === `${field}?.map(y => y)`) {
    return true;
  }
  // a map of strings: cdk8s drops its undefined values, as sanitizing did before
  if (
    expression ===
    `((${field}) === undefined) ? undefined : (Object.entries(${field}).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {}))`
  ) {
    return true;
  }
  // a nested mapping of the member, `toJson_X(obj.k)`, or of each of its items, `obj.k?.map(y => toJson_X(y))`
  const nested =
    mappingName(expression, 'toJson_', `(${field})`) ?? mappingName(expression, `${field}?.map(y => toJson_`, '(y))');
  // anything else (a renamed member, `obj.x?.value` of an IntOrString) changes the value
  return nested !== undefined && isIdentity(nested);
}

/** `X` when `expression` is `before` + `X` + `after` and `X` is a function name, else undefined. */
function mappingName(expression: string, before: string, after: string): string | undefined {
  if (!expression.startsWith(before) || !expression.endsWith(after)) return undefined;
  const name = expression.slice(before.length, expression.length - after.length);
  return /^\w+$/.test(name) ? name : undefined;
}

/**
 * The classes of a generated module whose props mapping is the identity on resolved, sanitized props: every member
 * of every mapping it reaches keeps its wire name and value (nested mappings recursively), and the members are listed
 * in sorted order (code units), as sanitizing sorts them. Throws if the module has no mapping of the known shape.
 */
export function identityMappedClasses(source: string): string[] {
  const mappings = new Map<string, Mapping>();
  for (const m of source.matchAll(FUNCTION)) {
    const members = m[2].split('\n').map((line) => {
      const member = MEMBER.exec(line);
      if (!member) {
        throw new Error(
          `toJson_${m[1]}: a member line of an unknown shape: ${line.trim()}; update identity-mappings.ts`,
        );
      }
      return [member[1], member[2]] as const;
    });
    mappings.set(m[1], { members });
  }
  if (mappings.size === 0) {
    throw new Error('no toJson_ mapping of the known shape; update identity-mappings.ts');
  }
  // true while being decided: a recursive schema refers to itself, and stays the identity if nothing else changes
  const known = new Map<string, boolean>();
  const isIdentity = (fn: string): boolean => {
    const answer = known.get(fn);
    if (answer !== undefined) {
      return answer;
    }
    const mapping = mappings.get(fn);
    if (!mapping) {
      return false;
    }
    known.set(fn, true);
    const wires = mapping.members.map(([wire]) => wire);
    const sorted = wires.every((w, i) => i === 0 || wires[i - 1] < w);
    const result =
      sorted && mapping.members.every(([wire, expression]) => memberIsIdentity(wire, expression, isIdentity));
    known.set(fn, result);
    return result;
  };
  const classes = [...source.matchAll(/\nexport class (\w+) extends ApiObject \{/g)].map((m) => m[1]);
  return classes.filter((c) => isIdentity(`${c}Props`));
}

/** The source with `IDENTITY_MAPPED_CLASSES` appended: the classes `identityMappedClasses` finds, sorted. */
export function withIdentityMappedClasses(source: string): string {
  const classes = identityMappedClasses(source).sort();
  return (
    `${source.replace(/\n*$/, '\n')}\n` +
    '/**\n' +
    ' * The classes whose props mapping (`toJson_<Class>Props`) returns resolved, sanitized props unchanged: written by\n' +
    ' * `npm run import` (scripts/identity-mappings.ts).\n' +
    ' */\n' +
    `export const IDENTITY_MAPPED_CLASSES: readonly string[] = [${classes.map((c) => `'${c}'`).join(', ')}];\n`
  );
}
