/** Resilience inputs only a JavaScript caller or a CDK token can produce (issue #13, items 4 and 5). */
import { Token } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import { chainingProfile, ResiliencePolicy, ResilienceTarget, RetryOn, ServiceMesh } from '../../../lib';
import { renderRetryPolicy } from '../../../lib/mesh/resilience/render';

const mesh = () =>
  new ServiceMesh(Testing.app(), 'mesh', {
    cilium: chainingProfile({ envoyConfig: true, kubeProxyReplacement: true }),
  });

describe('resilience bad input', () => {
  test('a retryOn string outside RetryOn is refused', () => {
    expect(() => renderRetryPolicy({ attempts: 2, retryOn: ['timeout' as RetryOn] })).toThrow(
      /^retries.retryOn entry must be one of '5xx', 'gateway-error', .*, got 'timeout'; use the enum's constants$/,
    );
  });
  test('a CDK token as a number says that tokens are not supported', () => {
    expect(() => renderRetryPolicy({ attempts: Token.asNumber({ Ref: 'Attempts' }) })).toThrow(
      /^retries.attempts is an unresolved CDK token/,
    );
  });
  test('ResilienceTarget.fromName is checked by the policy, whose path the error names', () => {
    expect(
      () =>
        new ResiliencePolicy(mesh(), 'R', {
          service: ResilienceTarget.fromName('shop', 'Api', 80),
          retries: { attempts: 2 },
        }),
    ).toThrow(/^backend Service name must be a DNS-1123 label .*got 'Api'.* \[at mesh\/R\]$/);
  });
});
