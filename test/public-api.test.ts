import * as lib from '../lib';

/**
 * The package index exports the constructs, their props, value types and `render*` functions; checks, helpers and
 * wire-shape tables stay in their modules (review change 7, issue #12 item 7). Tests import those from the module.
 */
describe('public API', () => {
  const internal = [
    'capabilityMessage',
    'checkCapability',
    'ciliumProfileFromValues',
    'enabledFeatures',
    'kubernetesMinor',
    'checkKubernetesVersion',
    'objectIdentity',
    'canonicalJson',
    'withoutClusterScopedNamespaces',
    'ENVOY_EXTENSIONS',
    'envoyExtensionsJson',
    'DNS_ALLOW_RULE',
    'DNS_PROXY_RULE',
  ];
  test.each(internal)('%s is not exported from the package index', (name) => {
    expect(Object.keys(lib)).not.toContain(name);
  });

  test('MeshValidationError stays exported for TypeScript instanceof checks', () => {
    const error = new lib.MeshValidationError('bad input');
    expect(error instanceof lib.MeshValidationError && error instanceof Error).toBe(true);
  });
});
