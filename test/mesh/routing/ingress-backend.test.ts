import { Testing } from 'cdk8s';
import {
  Backend,
  CiliumIngress,
  HttpRoute,
  IngressLoadBalancerMode,
  IngressPathType,
  LoadBalancerScheme,
  ParentRef,
  Workload,
} from '../../../lib';
import { recordManifests } from '../../util/record';
import { meshFor, objectsOf, service } from './util';

describe('Backend', () => {
  test('fromService derives name, namespace and the only port', () => {
    const mesh = meshFor();
    const svc = service(mesh, 'api', [8080], 'shop');
    expect(Backend.fromService(svc).toBackendReference()).toEqual({ name: 'api', namespace: 'shop', port: 8080 });
  });

  test('fromService takes the chart namespace when the Service has none', () => {
    const mesh = meshFor({}, 'team');
    expect(Backend.fromService(service(mesh, 'web', [80])).toBackendReference()).toEqual({
      name: 'web',
      namespace: 'team',
      port: 80,
    });
  });

  test('fromService checks the port exists and needs it when ambiguous', () => {
    const mesh = meshFor();
    const svc = service(mesh, 'api', [80, 443]);
    expect(() => Backend.fromService(svc, 8080)).toThrow(
      /Service 'api' has no port 8080 \(its ports: 80, 443\); pass one of its ports \[at mesh\/api\]/,
    );
    expect(() => Backend.fromService(svc)).toThrow(
      /Service 'api' has 2 ports \(80, 443\), so the backend port cannot be inferred/,
    );
    expect(Backend.fromService(svc, 443).toBackendReference().port).toBe(443);
    // one port: taken when none is given or the same is given, refused when another is
    const one = service(mesh, 'one', [8080]);
    expect(Backend.fromService(one).toBackendReference().port).toBe(8080);
    expect(Backend.fromService(one, 8080).toBackendReference().port).toBe(8080);
    expect(() => Backend.fromService(one, 80)).toThrow(
      /^Service 'one' has no port 80 \(its ports: 8080\); pass one of its ports \[at mesh\/one\]$/,
    );
  });

  test('fromWorkload: a workload made from a cdk8s-plus Service routes to that Service, with its ports checked', () => {
    const mesh = meshFor();
    const svc = service(mesh, 'api', [80, 443], 'shop');
    const api = Workload.fromService(mesh, 'Api', svc);
    expect(Backend.fromWorkload(api, 443).toBackendReference()).toEqual({ name: 'api', namespace: 'shop', port: 443 });
    expect(() => Backend.fromWorkload(api)).toThrow(
      /^the Service 'api' of workload 'Api' has 2 ports \(80, 443\), so the backend port cannot be inferred; pass it: Backend.fromWorkload\(workload, 80\) \[at mesh\/Api\]$/,
    );
    expect(() => Backend.fromWorkload(api, 8080)).toThrow(
      /^the Service 'api' of workload 'Api' has no port 8080 \(its ports: 80, 443\); pass one of its ports \[at mesh\/Api\]$/,
    );
    // and it renders into a route like any backend
    new HttpRoute(mesh, 'R', {
      namespace: 'shop',
      parentRefs: [ParentRef.service(Backend.fromWorkload(api, 80))],
      rules: [{ backendRefs: [{ backend: Backend.fromWorkload(api, 80) }] }],
    });
    expect(objectsOf(mesh, 'HTTPRoute')[0].spec.rules[0].backendRefs).toEqual([{ name: 'api', port: 80 }]);
  });

  test('fromWorkload: a label-selected workload needs its Service stated; without one it is refused', () => {
    const mesh = meshFor();
    const orders = new Workload(mesh, 'Orders', {
      namespace: 'shop',
      labels: { app: 'orders' },
      service: { name: 'orders', ports: [9090] },
    });
    expect(orders.service).toEqual({ name: 'orders', ports: [9090] });
    expect(Backend.fromWorkload(orders).toBackendReference()).toEqual({
      name: 'orders',
      namespace: 'shop',
      port: 9090,
    });
    // one Service, one selector: a second workload may state it only with the same labels
    expect(
      new Workload(mesh, 'OrdersAgain', {
        namespace: 'shop',
        labels: { app: 'orders' },
        service: { name: 'orders', ports: [9090] },
      }).service?.name,
    ).toBe('orders');
    expect(
      () =>
        new Workload(mesh, 'Impostor', {
          namespace: 'shop',
          labels: { app: 'other' },
          service: { name: 'orders', ports: [9090] },
        }),
    ).toThrow(
      /^Service shop\/orders is already stated by workload mesh\/Orders with labels \{"app":"orders"\}, got \{"app":"other"\}; .* \[at mesh\/Impostor\]$/,
    );
    const bare = new Workload(mesh, 'Bare', { namespace: 'shop', labels: { app: 'bare' } });
    expect(() => Backend.fromWorkload(bare)).toThrow(
      /^workload 'Bare' has no Service, and routes send traffic to Services; create the workload with Workload.fromService\(scope, id, service\) or pass service: \{ name, ports \} in its props \[at mesh\/Bare\]$/,
    );
    expect(
      () =>
        new Workload(mesh, 'BadSvc', {
          namespace: 'shop',
          labels: { app: 'x' },
          service: { name: 'Orders', ports: [80] },
        }),
    ).toThrow(/^workload Service name must be a DNS-1123 label .*got 'Orders'.* \[at mesh\/BadSvc\]$/);
    expect(
      () =>
        new Workload(mesh, 'NoPorts', { namespace: 'shop', labels: { app: 'y' }, service: { name: 'y', ports: [] } }),
    ).toThrow(
      /^workload Service 'y' needs at least one port; pass the Service's ports, e.g. ports: \[80\] \[at mesh\/NoPorts\]$/,
    );
    expect(
      () =>
        new Workload(mesh, 'BadPort', { namespace: 'shop', labels: { app: 'z' }, service: { name: 'z', ports: [0] } }),
    ).toThrow(/^workload Service 'z' port must be an integer from 1 to 65535, got 0; .* \[at mesh\/BadPort\]$/);
  });

  test('fromName validates when used, so that the error names the route', () => {
    expect(Backend.fromName('shop', 'api', 80).toBackendReference()).toEqual({
      namespace: 'shop',
      name: 'api',
      port: 80,
    });
    expect(() => Backend.fromName('Shop', 'api', 80).toBackendReference()).toThrow(
      /backend namespace must be a DNS-1123 label.*got 'Shop'/,
    );
    const mesh = meshFor();
    const rule = (port: number) => [{ backendRefs: [{ backend: Backend.fromName('shop', 'api', port) }] }];
    const gamma = ParentRef.service(Backend.fromName('default', 'front', 80));
    expect(() => new HttpRoute(mesh, 'R', { parentRefs: [gamma], rules: rule(0) })).toThrow(
      /^backend port must be an integer from 1 to 65535, got 0; .* \[at mesh\/R\]$/,
    );
    expect(
      () =>
        new HttpRoute(mesh, 'G', {
          parentRefs: [ParentRef.service(Backend.fromName('default', 'Front', 80))],
          rules: rule(80),
        }),
    ).toThrow(/^backend Service name must be a DNS-1123 label .*got 'Front'.* \[at mesh\/G\]$/);
  });
});

describe('CiliumIngress', () => {
  test('ingressClassName cilium, load balancer mode annotation, rules and TLS', () => {
    const mesh = meshFor({ ingressController: true }, 'web');
    const web = service(mesh, 'web', [80]);
    const api = service(mesh, 'api', [8080]);
    new CiliumIngress(mesh, 'Site', {
      loadBalancerMode: IngressLoadBalancerMode.SHARED,
      rules: [
        { host: 'www.example.com', path: '/', service: web },
        { host: 'www.example.com', path: '/api', pathType: IngressPathType.EXACT, service: api, port: 8080 },
      ],
      tls: [{ hosts: ['www.example.com'], secretName: 'www-tls' }],
    });
    const [ingress] = objectsOf(mesh, 'Ingress');
    expect(ingress).toMatchSnapshot();
    expect(ingress.spec.ingressClassName).toBe('cilium');
    expect(ingress.metadata.annotations).toEqual({ 'ingress.cilium.io/loadbalancer-mode': 'shared' });
    recordManifests('routing-ingress', Testing.synth(mesh), 'cilium-1.20');
  });

  test('dedicated mode carries the AWS NLB annotations; other modes refuse them', () => {
    const mesh = meshFor({ ingressController: true });
    const web = service(mesh, 'web', [80]);
    new CiliumIngress(mesh, 'Own', {
      loadBalancerMode: IngressLoadBalancerMode.DEDICATED,
      loadBalancer: { scheme: LoadBalancerScheme.INTERNET_FACING },
      rules: [{ path: '/', service: web }],
    });
    expect(objectsOf(mesh, 'Ingress')[0].metadata.annotations).toEqual({
      'ingress.cilium.io/loadbalancer-mode': 'dedicated',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'instance',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
    });
    expect(
      () =>
        new CiliumIngress(mesh, 'Shared', {
          loadBalancerMode: IngressLoadBalancerMode.SHARED,
          loadBalancer: { scheme: LoadBalancerScheme.INTERNAL },
          rules: [{ path: '/', service: web }],
        }),
    ).toThrow(
      /load balancer settings apply to an Ingress's own load balancer only; got loadBalancerMode shared.*\[at mesh\/Shared\]/,
    );
  });

  test('one rule per host and path, and path types from the enum (found by the sweep)', () => {
    const mesh = meshFor({ ingressController: true });
    const web = service(mesh, 'web', [80]);
    expect(
      () =>
        new CiliumIngress(mesh, 'Twice', {
          rules: [
            { path: '/', service: web },
            { path: '/', service: web },
          ],
        }),
    ).toThrow(
      /^two Ingress rules for host '\(any\)' and path '\/'; keep one rule per host and path \[at mesh\/Twice\]$/,
    );
    expect(
      () =>
        new CiliumIngress(mesh, 'Type', {
          rules: [{ path: '/', pathType: 'ImplementationSpecific' as IngressPathType, service: web }],
        }),
    ).toThrow(/^Ingress path type must be one of 'Exact', 'Prefix', got 'ImplementationSpecific'.* \[at mesh\/Type\]$/);
    expect(
      () =>
        new CiliumIngress(mesh, 'Mode', {
          loadBalancerMode: 'Dedicated' as IngressLoadBalancerMode,
          rules: [{ path: '/', service: web }],
        }),
    ).toThrow(/^Ingress load balancer mode must be one of .*, got 'Dedicated'.* \[at mesh\/Mode\]$/);
  });

  test('requires the Ingress controller', () => {
    const mesh = meshFor();
    expect(
      () => new CiliumIngress(mesh, 'Site', { rules: [{ path: '/', service: service(mesh, 'web', [80]) }] }),
    ).toThrow(
      /Ingress of class 'cilium' needs Cilium's Ingress controller.*ingressController: true.*\[at mesh\/Site\]/,
    );
  });

  test('validates hosts and paths', () => {
    const mesh = meshFor({ ingressController: true });
    const web = service(mesh, 'web', [80]);
    expect(
      () => new CiliumIngress(mesh, 'A', { rules: [{ host: 'www.example.com:80', path: '/', service: web }] }),
    ).toThrow(/Ingress host must not contain a port/);
    expect(() => new CiliumIngress(mesh, 'B', { rules: [{ path: 'x', service: web }] })).toThrow(
      /Ingress path must start with '\/', got 'x'/,
    );
    const other = service(mesh, 'other', [80], 'elsewhere');
    expect(() => new CiliumIngress(mesh, 'C', { rules: [{ path: '/', service: other }] })).toThrow(
      /Ingress backends must be in the Ingress's namespace 'default', Service 'other' is in 'elsewhere'.*\[at mesh\/C\]/,
    );
  });
});
