import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { GatewayApiChannel, GatewayApiCrds, GatewayApiSource, GatewayApiVersion } from '../../lib/gateway-api';
import { importedClusterStack } from '../util/clusters';

const UPSTREAM = path.resolve(__dirname, '..', '..', '..', 'shared', 'upstream', 'gateway-api');
const sha = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');

const setup = importedClusterStack;

describe('GatewayApiVersion', () => {
  // Needs the reference data beside the checkout (as in CI); a clone without ../shared skips it.
  (fs.existsSync(UPSTREAM) ? test : test.skip)(
    'pinned digests equal the reference files in ../shared (v1.6.1 and v1.1.0)',
    () => {
      for (const v of [GatewayApiVersion.V1_6_1, GatewayApiVersion.V1_1_0]) {
        for (const c of [GatewayApiChannel.STANDARD, GatewayApiChannel.EXPERIMENTAL]) {
          expect(v.sha256(c)).toBe(sha(path.join(UPSTREAM, v.version, `${c}-install.yaml`)));
        }
      }
    },
  );

  test('release URL and overrides', () => {
    expect(GatewayApiVersion.V1_6_1.releaseUrl(GatewayApiChannel.STANDARD)).toBe(
      'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml',
    );
    expect(GatewayApiVersion.of('v1.4.1', { standard: 'a'.repeat(64) }).sha256(GatewayApiChannel.STANDARD)).toBe(
      'a'.repeat(64),
    );
    expect(GatewayApiVersion.V1_4_1.sha256(GatewayApiChannel.STANDARD)).toBeUndefined();
  });

  test('a bad tag or digest fails where a construct uses the version, naming it', () => {
    const { stack, cluster } = setup();
    expect(() => new GatewayApiCrds(stack, 'Tag', { cluster, version: GatewayApiVersion.of('1.4.1') })).toThrow(
      /^Gateway API version must look like 'v1.6.1', got '1.4.1'; use a release tag \[at Stack\/Tag\]$/,
    );
    expect(
      () =>
        new GatewayApiCrds(stack, 'Digest', { cluster, version: GatewayApiVersion.of('v1.4.1', { standard: 'XYZ' }) }),
    ).toThrow(
      /^the standard digest of Gateway API v1.4.1 must be 64 lower-case hex characters, got 'XYZ'; .* \[at Stack\/Digest\]$/,
    );
  });
});

describe('GatewayApiCrds', () => {
  test('release source: pinned URL and sha256, retained on delete, never pruned', () => {
    const { stack, cluster } = setup();
    const crds = new GatewayApiCrds(stack, 'GatewayApi', { cluster, version: GatewayApiVersion.V1_6_1 });
    expect(crds.channel).toBe(GatewayApiChannel.STANDARD);
    Template.fromStack(stack).hasResourceProperties('Custom::CiliumMeshObjects', {
      Sources: [
        {
          Url: 'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml',
          Sha256: '24d931f22abd8e40c973264319ead7cfa09d0fb7716b7ab1ee2ff174cb063a73',
        },
      ],
      Prune: 'false',
      RetainOnDelete: 'true',
      Kinds: Match.arrayWith(['apiextensions.k8s.io/v1/CustomResourceDefinition']),
    });
  });

  test('installs the version and channel it is given (Cilium resolves them per line); standard by default', () => {
    const { stack, cluster } = setup();
    const crds = new GatewayApiCrds(stack, 'GatewayApi', {
      cluster,
      version: GatewayApiVersion.V1_1_0,
      channel: GatewayApiChannel.EXPERIMENTAL,
    });
    expect([crds.version.version, crds.channel]).toEqual(['v1.1.0', GatewayApiChannel.EXPERIMENTAL]);
    expect(new GatewayApiCrds(stack, 'ByVersion', { cluster, version: GatewayApiVersion.V1_1_0 }).channel).toBe(
      GatewayApiChannel.STANDARD,
    );
    expect(
      () =>
        new GatewayApiCrds(stack, 'Beta', {
          cluster,
          version: GatewayApiVersion.V1_1_0,
          channel: 'beta' as GatewayApiChannel,
        }),
    ).toThrow(
      /^channel must be GatewayApiChannel.STANDARD or EXPERIMENTAL, got "beta"; pass one of them \[at Stack\/Beta\]$/,
    );
  });

  test('a version without a pinned digest asks for one', () => {
    const { stack, cluster } = setup();
    expect(() => new GatewayApiCrds(stack, 'G', { cluster, version: GatewayApiVersion.V1_4_1 })).toThrow(
      /no sha256 is pinned for .*v1.4.1\/standard-install.yaml; pass it with GatewayApiVersion.of\('v1.4.1'.*\[at Stack\/G\]/,
    );
    new GatewayApiCrds(stack, 'Ok', { cluster, version: GatewayApiVersion.of('v1.4.1', { standard: 'b'.repeat(64) }) });
  });

  test('local file source (air-gapped): S3 asset, digest checked at synth', () => {
    const { stack, cluster } = setup();
    // Any file stands in for the release asset here: what matters is that its digest is checked.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-api-')), 'standard-install.yaml');
    fs.writeFileSync(file, '# stand-in for the Gateway API standard-install.yaml\n');
    new GatewayApiCrds(stack, 'GatewayApi', {
      cluster,
      version: GatewayApiVersion.V1_6_1,
      source: GatewayApiSource.fromFile(file, sha(file)),
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });
    Template.fromStack(stack).hasResourceProperties('Custom::CiliumMeshObjects', {
      Sources: [{ Bucket: Match.anyValue(), Key: Match.stringLikeRegexp('\\.yaml$'), Sha256: sha(file) }],
      RetainOnDelete: 'false',
    });
    expect(
      () =>
        new GatewayApiCrds(stack, 'Bad', {
          cluster,
          version: GatewayApiVersion.V1_6_1,
          source: GatewayApiSource.fromFile(file, 'c'.repeat(64)),
        }),
    ).toThrow(/sha256 of .*standard-install.yaml is [0-9a-f]{64}, expected c{64}/);
  });
});
