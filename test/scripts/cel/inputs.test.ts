import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { parseManifest } from '../../../scripts/cel/cfn';
import { runCelCheck, summaryLine } from '../../../scripts/cel/cli';
import { collectObjects } from '../../../scripts/cel/objects';
import { crd, widget, WIDGET_ROOT_RULES, WIDGET_SPEC } from './fixtures';

let dir: string;
let crdFile: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cel-inputs-'));
  crdFile = path.join(dir, 'crds', 'widgets.yaml');
  fs.mkdirSync(path.dirname(crdFile));
  fs.writeFileSync(crdFile, YAML.stringify(crd('Widget', WIDGET_SPEC, WIDGET_ROOT_RULES)));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(rel: string, data: unknown): string {
  const file = path.join(dir, 'in', rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}

const good = widget('w-good', { ports: [80] });
const bad = widget('w-bad', { targets: [{ name: 'x' }] });
const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } };

/** A CDK template deploying `manifest` inline and a mesh batch from asset `<key>`. */
function template(manifest: unknown, key: string): unknown {
  return {
    Resources: {
      Inline: { Type: 'Custom::AWSCDK-EKS-KubernetesResource', Properties: { Manifest: manifest } },
      Batch: {
        Type: 'Custom::CiliumMeshObjects',
        Properties: {
          Sources: [
            { Key: key, Sha256: 'x' },
            { Url: 'https://example.com/crds.yaml', Sha256: 'y' },
          ],
        },
      },
      Other: { Type: 'AWS::S3::Bucket', Properties: {} },
    },
  };
}

describe('object collection', () => {
  test('recorded arrays, YAML multi-doc and v1 List items; non-objects ignored', () => {
    write('recorded.json', [good, service]);
    write('k8s/out.yaml', `${YAML.stringify(bad)}---\n${YAML.stringify(good)}`);
    write('list.json', { apiVersion: 'v1', kind: 'List', items: [good] });
    write('manifest.json', { version: '48.0.0', artifacts: {} });
    const { objects, problems } = collectObjects([path.join(dir, 'in')], dir);
    expect(problems).toEqual([]);
    expect(objects.map((o) => o.where)).toEqual([
      'in/k8s/out.yaml#0',
      'in/k8s/out.yaml#1',
      'in/list.json',
      'in/recorded.json[0]',
      'in/recorded.json[1]',
    ]);
  });

  test('a file that does not parse is a problem also when it was found in a directory', () => {
    write('recorded.json', [good]);
    write('k8s/broken.json', '{"apiVersion": "example.com/v1", "kind": ');
    const { objects, problems } = collectObjects([path.join(dir, 'in')], dir);
    expect(objects.map((o) => o.where)).toEqual(['in/recorded.json[0]']);
    expect(problems).toEqual([expect.stringMatching(/^in\/k8s\/broken\.json: /)]);
  });

  test('CloudFormation: inline Manifest (Fn::Join with tokens) and the CiliumMeshObjects asset, read once', () => {
    const manifest = {
      'Fn::Join': [
        '',
        [
          '[{"apiVersion":"test.example.com/v1","kind":"Widget","metadata":{"name":"w-t","namespace":"ns"},"spec":{"ports":[',
          { Ref: 'Port' },
          ']}}]',
        ],
      ],
    };
    write('App.template.json', template(manifest, 'abc.json'));
    write('asset.abc.json', { apiVersion: 'v1', kind: 'List', items: [bad, service] });
    const { objects } = collectObjects([path.join(dir, 'in')], dir);
    expect(objects.map((o) => o.where)).toEqual([
      'in/App.template.json:Inline[0]',
      'in/App.template.json:Batch asset.abc.json[0]',
      'in/App.template.json:Batch asset.abc.json[1]',
    ]);
    expect(objects[0].obj).toMatchObject({ spec: { ports: ['@@CFNTOKEN0@@'] } });
  });

  test('a missing batch asset and an unparsable manifest are problems', () => {
    write('App.template.json', template('{not json', 'gone.json'));
    expect(collectObjects([path.join(dir, 'in')], dir).problems).toEqual([
      expect.stringMatching(/^in\/App.template.json:Inline: Manifest is not resolvable to JSON: /),
      'in/App.template.json:Batch: asset asset.gone.json of Sources Key gone.json not found next to the template',
    ]);
  });

  test('parseManifest quotes bare tokens so the rest can be checked', () => {
    expect(parseManifest({ 'Fn::Join': ['', ['{"a":', { 'Fn::GetAtt': ['X', 'Y'] }, ',"b":"c"}']] })).toEqual({
      a: '@@CFNTOKEN0@@',
      b: 'c',
    });
  });
});

describe('runCelCheck', () => {
  test('reports each failed rule with file, object, path and message, and the summary', () => {
    write('recorded.json', [good, bad, service, widget('w-m', { ports: [1], mode: 'fast', link: 'x' })]);
    const report = runCelCheck({ crds: [path.join(dir, 'crds')], inputs: [path.join(dir, 'in')] });
    const rel = path.relative(process.cwd(), path.join(dir, 'in', 'recorded.json'));
    expect(report.failures).toEqual([
      `FAILED  ${rel}[1]  test.example.com/v1 Widget ns/w-bad  spec.targets[0]: a Backend target needs a port`,
    ]);
    expect(summaryLine(report)).toBe(
      'cel: 3 objects, 16 rules evaluated, 1 failed, 1 skipped (transition), 1 not evaluated (unsupported: isURL ×1)',
    );
  });

  test('a rule failing on an unresolved CloudFormation token is not counted as failed', () => {
    const manifest = {
      'Fn::Join': [
        '',
        [
          '{"apiVersion":"test.example.com/v1","kind":"Widget","metadata":{"name":"w-t","namespace":"ns"},"spec":{"ports":[1],"mode":"',
          { Ref: 'Mode' },
          '"}}',
        ],
      ],
    };
    write('App.template.json', template(manifest, 'abc.json'));
    write('asset.abc.json', { apiVersion: 'v1', kind: 'List', items: [good] });
    const report = runCelCheck({ crds: [crdFile], inputs: [path.join(dir, 'in')] });
    expect(report.failures).toEqual([]);
    expect(summaryLine(report)).toBe(
      'cel: 2 objects, 10 rules evaluated, 0 failed, 1 skipped (transition), 0 not evaluated (unsupported: none), ' +
        '1 not evaluated (unresolved CloudFormation token)',
    );
  });

  test('no CRD in --crds is an error', () => {
    write('recorded.json', [good]);
    expect(() => runCelCheck({ crds: [path.join(dir, 'in')], inputs: [path.join(dir, 'in')] })).toThrow(
      /no CustomResourceDefinition found in /,
    );
  });
});
