import {
  addressInCidr,
  evaluateConnectivity,
  fqdnMatches,
  httpRuleAdmits,
  readPolicies,
} from '../../../lib/mesh/review/connectivity';

describe('connectivity building blocks', () => {
  test('matchPattern as the Cilium 1.20 CRD describes it', () => {
    const m = (p: string, n: string) => fqdnMatches({ matchPattern: p }, n);
    expect([
      m('*.cilium.io', 'www.cilium.io'),
      m('*.cilium.io', 'cilium.io'),
      m('*.cilium.io', 'a.b.cilium.io'),
      m('*cilium.io', 'subcilium.io'),
      m('*cilium.io', 'www.cilium.io'),
      m('sub*.cilium.io', 'subdomain.cilium.io'),
      m('**.cilium.io', 'test.app.cilium.io'),
      m('**.cilium.io', 'cilium.io'),
      m('*', 'x.y'),
      fqdnMatches({ matchName: 'API.example.com.' }, 'api.example.com'),
    ]).toEqual([true, false, false, true, false, true, true, false, true, true]);
  });

  test('CIDRs, IPv4 and IPv6', () => {
    expect([
      addressInCidr('10.1.2.3', '10.0.0.0/8'),
      addressInCidr('11.0.0.1', '10.0.0.0/8'),
      addressInCidr('2001:db8::1', '2001:db8::/32'),
      addressInCidr('2001:db9::1', '2001:db8::/32'),
      addressInCidr('10.0.0.1', '2001:db8::/32'),
    ]).toEqual([true, false, true, false, false]);
  });

  test('HTTP rules: regexes match the whole value; headers by name (case-insensitive) and value', () => {
    const rule = { method: 'GET|HEAD', path: '/api/.*', headers: ['X-Team: payments', 'X-Trace'] };
    const ok = { method: 'GET', path: '/api/x', headers: { 'x-team': 'payments', 'x-trace': '1' } };
    expect(httpRuleAdmits(rule, ok)).toBe(true);
    expect(httpRuleAdmits(rule, { ...ok, path: '/v1/api/x' })).toBe(false);
    expect(httpRuleAdmits(rule, { ...ok, method: 'GETX' })).toBe(false);
    expect(httpRuleAdmits(rule, { ...ok, headers: { 'x-team': 'other', 'x-trace': '1' } })).toBe(false);
    expect(httpRuleAdmits(rule, { ...ok, headers: { 'x-team': 'payments' } })).toBe(false);
  });

  test('an empty rule selects nothing, an L4-only rule every peer, empty fromEndpoints nothing', () => {
    const pods = (name: string) => ({ type: 'pods' as const, namespace: 'a', labels: { app: name }, name });
    const policy = (ingress: unknown[]) =>
      readPolicies([
        {
          apiVersion: 'cilium.io/v2',
          kind: 'CiliumNetworkPolicy',
          metadata: { name: 'p', namespace: 'a' },
          spec: { endpointSelector: { matchLabels: { app: 'api' } }, ingress },
        },
      ]);
    const ask = (ingress: unknown[], port = 80) =>
      evaluateConnectivity(policy(ingress), { from: pods('x'), to: pods('api'), port, protocol: 'TCP' }).allowed;
    expect(ask([{}])).toBe(false);
    expect(ask([{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }])).toBe(true);
    expect(ask([{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }], 81)).toBe(false);
    expect(ask([{ fromEndpoints: [], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }])).toBe(false);
    expect(ask([{ fromEndpoints: [{}] }])).toBe(true);
    expect(ask([{ fromEntities: ['cluster'] }])).toBe(true);
    expect(ask([{ fromEntities: ['world'] }])).toBe(false);
    expect(ask([{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '0', protocol: 'ANY' }] }] }], 4242)).toBe(true);
    expect(
      ask([{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '8000', endPort: 8100, protocol: 'TCP' }] }] }], 8050),
    ).toBe(true);
    expect(ask([{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '80', protocol: 'UDP' }] }] }])).toBe(false);
  });
});
