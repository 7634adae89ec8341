import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as cilium from '../../lib/imports/cilium.io';
import * as gw from '../../lib/imports/gateway.networking.k8s.io';
import * as gwx from '../../lib/imports/gateway.networking.k8s.io.experimental';
import { gvkMembers } from '../../scripts/gvk-members';

const MODULES: Array<[string, Record<string, any>]> = [
  ['cilium.io', cilium],
  ['gateway.networking.k8s.io', gw],
  ['gateway.networking.k8s.io.experimental', gwx],
];
const source = (m: string) => fs.readFileSync(path.join(__dirname, '../../lib/imports', `${m}.ts`), 'utf8');

/** The generated classes of a module: the exports with a static GVK and `manifest()`. */
function classesOf(mod: Record<string, any>): Array<[string, any]> {
  return Object.entries(mod).filter(([, v]) => typeof v === 'function' && v.GVK && typeof v.manifest === 'function');
}

describe('the generated classes write apiVersion and kind as members, not as a GVK spread', () => {
  test.each(MODULES)('%s: no GVK spread is left', (m) => {
    expect(source(m)).not.toMatch(/\.\.\.\w+\.GVK/);
  });

  test.each(MODULES)(
    '%s: manifest(), toJson() and the constructor give what the GVK spread gives, keys in the same order',
    (_m, mod) => {
      const classes = classesOf(mod);
      expect(classes.length).toBeGreaterThan(5);
      const chart = new Chart(new App(), 'c');
      for (const [name, cls] of classes) {
        const props = { metadata: { name: 'a', labels: { app: 'a' } } };
        const mapping = mod[`toJson_${name}Props`];
        expect(typeof mapping).toBe('function');
        const spread = { ...cls.GVK, ...mapping(props) };
        const manifest = cls.manifest(props);
        expect(manifest).toStrictEqual(spread);
        expect(Object.keys(manifest)).toEqual(Object.keys(spread));
        const object = new cls(chart, name, props);
        expect(object.toJson()).toStrictEqual({ ...cls.GVK, ...mapping(props) });
        expect(Object.keys(object.toJson())).toEqual(['apiVersion', 'kind', 'metadata']);
      }
    },
  );

  test('the rewrite of one class, and an import that no longer writes three spreads per class stops', () => {
    const one =
      'export class A extends ApiObject {\n  public static readonly GVK: GroupVersionKind = {\n  }\n' +
      '    super(scope, id, {\n      ...A.GVK,\n      ...props,\n    });\n' +
      '    return {\n      ...A.GVK,\n      ...toJson_AProps(props),\n    };\n' +
      '    return {\n      ...A.GVK,\n      ...toJson_AProps(resolved),\n    };\n';
    const rewritten = gvkMembers(one);
    expect(rewritten).not.toContain('...A.GVK');
    expect(rewritten.split('      apiVersion: A.GVK.apiVersion,\n      kind: A.GVK.kind,\n').length - 1).toBe(3);
    expect(() => gvkMembers(one.replace('      ...A.GVK,\n      ...props,', '      ...props,'))).toThrow(
      /^cdk8s import wrote 1 classes but 2 GVK spreads \(3 per class expected\); update import-crds\.ts$/,
    );
  });
});
