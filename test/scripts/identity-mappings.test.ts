import * as fs from 'fs';
import * as path from 'path';
import * as cilium from '../../lib/imports/cilium.io';
import * as gw from '../../lib/imports/gateway.networking.k8s.io';
import * as gwx from '../../lib/imports/gateway.networking.k8s.io.experimental';
import { identityMappedClasses, withIdentityMappedClasses } from '../../scripts/identity-mappings';

const source = (m: string) => fs.readFileSync(path.join(__dirname, '../../lib/imports', `${m}.ts`), 'utf8');

/** A generated module of one class `A` with the given members of `toJson_AProps` (and more mappings after it). */
function moduleOf(members: string[], more = ''): string {
  return (
    '\nexport class A extends ApiObject {\n}\n' +
    '\nexport function toJson_AProps(obj: AProps | undefined): Record<string, any> | undefined {\n' +
    '  if (obj === undefined) { return undefined; }\n  const result = {\n' +
    members.map((m) => `    ${m},`).join('\n') +
    '\n  };\n  return out;\n}\n' +
    more
  );
}

function mapping(name: string, members: string[]): string {
  return (
    `\nexport function toJson_${name}(obj: ${name} | undefined): Record<string, any> | undefined {\n` +
    '  if (obj === undefined) { return undefined; }\n  const result = {\n' +
    members.map((m) => `    ${m},`).join('\n') +
    '\n  };\n  return out;\n}\n'
  );
}

describe('classes whose props mapping leaves rendered props unchanged', () => {
  test.each([
    ['cilium.io', cilium.IDENTITY_MAPPED_CLASSES],
    ['gateway.networking.k8s.io', gw.IDENTITY_MAPPED_CLASSES],
    ['gateway.networking.k8s.io.experimental', gwx.IDENTITY_MAPPED_CLASSES],
  ])('%s: the list written by npm run import is what its mappings give', (m, written) => {
    expect(written).toEqual(identityMappedClasses(source(m)).sort());
  });

  test('the kinds the mesh makes with a binding skip the mapping; CiliumNetworkPolicy (toFQDNs, toCIDR) would not', () => {
    for (const list of [gw.IDENTITY_MAPPED_CLASSES, gwx.IDENTITY_MAPPED_CLASSES]) {
      expect(list).toEqual(
        expect.arrayContaining(['Gateway', 'GrpcRoute', 'HttpRoute', 'ReferenceGrant', 'TlsRoute', 'TlsRouteV1Alpha2']),
      );
    }
    expect(cilium.IDENTITY_MAPPED_CLASSES).toContain('CiliumEnvoyConfig');
    expect(cilium.IDENTITY_MAPPED_CLASSES).not.toContain('CiliumNetworkPolicy');
    expect(cilium.IDENTITY_MAPPED_CLASSES).not.toContain('CiliumClusterwideNetworkPolicy');
  });

  test('every kind of member that keeps its value, nested and recursive mappings included', () => {
    const members = [
      "'a': obj.a",
      "'b': obj.b?.map(y => y)",
      "'c': toJson_C(obj.c)",
      "'d': obj.d?.map(y => toJson_C(y))",
      "'e': ((obj.e) === undefined) ? undefined : (Object.entries(obj.e).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {}))",
    ];
    const c = mapping('C', ["'self': toJson_C(obj.self)", "'x': obj.x"]);
    expect(identityMappedClasses(moduleOf(members, c))).toEqual(['A']);
  });

  test.each([
    ['a renamed member', ["'toFQDNs': obj.toFqdNs"], ''],
    ['a default value', ["'a': obj.a ?? 1"], ''],
    ['an IntOrString value', ["'port': obj.port?.value"], ''],
    ['members out of sorted order', ["'b': obj.b", "'a': obj.a"], ''],
    ['a nested mapping that renames', ["'c': toJson_C(obj.c)"], mapping('C', ["'toCIDR': obj.toCidr"])],
    ['a mapping the module does not have', ["'c': toJson_Missing(obj.c)"], ''],
  ])('%s changes the value', (_what, members, more) => {
    expect(identityMappedClasses(moduleOf(members, more))).toEqual([]);
  });

  test('a member of an unknown shape, or no mapping at all, stops the import', () => {
    expect(() => identityMappedClasses(moduleOf(['a: obj.a']))).toThrow(
      /^toJson_AProps: a member line of an unknown shape: a: obj\.a,; update identity-mappings\.ts$/,
    );
    expect(() => identityMappedClasses('export class A extends ApiObject {}')).toThrow(
      /^no toJson_ mapping of the known shape; update identity-mappings\.ts$/,
    );
  });

  test('the list is appended to the module, sorted', () => {
    const text = withIdentityMappedClasses(
      moduleOf(["'a': obj.a"]) +
        moduleOf(["'z': obj.z"]).replace('class A', 'class B').replace('toJson_AProps', 'toJson_BProps'),
    );
    expect(text.endsWith("export const IDENTITY_MAPPED_CLASSES: readonly string[] = ['A', 'B'];\n")).toBe(true);
  });
});
