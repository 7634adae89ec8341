/**
 * Hubble Relay and UI stay inside the cluster: checked on the real chart rendered (`helm template`, the helm of the
 * kubectl layer) with our values, for the oldest and newest line, and refused at synth when an override exposes them.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { checkHubbleExposure, CiliumVersion, HubbleUiExposure, renderCiliumValues } from '../../lib';
import { type CiliumValuesOptions } from '../../lib/cilium/values-options';
import { ciliumChart, HELM } from '../live/cluster';

interface Service {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { type?: string };
}

/** The Services of hubble-relay and hubble-ui in the chart rendered with these values. */
function renderedHubbleServices(version: CiliumVersion, values: unknown): Record<string, Service> {
  const chart = ciliumChart(version.chartVersion);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hubble-values-'));
  try {
    const file = path.join(dir, 'values.json');
    fs.writeFileSync(file, JSON.stringify(values));
    const r = spawnSync(
      HELM,
      ['template', 'cilium', chart.chart, '--namespace', 'kube-system', '--kube-version', '1.35.0', '-f', file],
      { encoding: 'utf8', maxBuffer: 1 << 28 },
    );
    if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
    const services: Record<string, Service> = {};
    for (const doc of parseAllDocuments(r.stdout)) {
      const o = doc.toJS() as Service | null;
      if (o?.kind === 'Service' && o.metadata.name.startsWith('hubble-')) services[o.metadata.name] = o;
    }
    return services;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const HUBBLE: CiliumValuesOptions = { hubble: { relay: true, ui: true } };

describe.each([CiliumVersion.V1_16, CiliumVersion.V1_20])('rendered chart %s', (version) => {
  test('relay and UI are ClusterIP Services by default', () => {
    const services = renderedHubbleServices(version, renderCiliumValues(HUBBLE, version));
    expect(Object.keys(services).sort()).toEqual(expect.arrayContaining(['hubble-relay', 'hubble-ui']));
    expect(services['hubble-relay'].spec.type).toBe('ClusterIP');
    expect(services['hubble-ui'].spec.type).toBe('ClusterIP');
  });

  test('uiExposure renders an internal NLB for the UI only; the relay stays ClusterIP', () => {
    const uiExposure = HubbleUiExposure.internalLoadBalancer({ allowedCidrs: ['10.20.0.0/16'] });
    const services = renderedHubbleServices(
      version,
      renderCiliumValues({ hubble: { relay: true, ui: true, uiExposure } }, version),
    );
    expect(services['hubble-relay'].spec.type).toBe('ClusterIP');
    expect(services['hubble-ui'].spec.type).toBe('LoadBalancer');
    expect(services['hubble-ui'].metadata.annotations?.['service.beta.kubernetes.io/aws-load-balancer-scheme']).toBe(
      'internal',
    );
  });

  test('an opted-in override really exposes the relay (the check above can fail)', () => {
    const values = renderCiliumValues(
      {
        hubble: { relay: true, ui: true, allowExternalExposure: true },
        valuesOverrides: { hubble: { relay: { service: { type: 'NodePort' } } } },
      },
      version,
    );
    expect(renderedHubbleServices(version, values)['hubble-relay'].spec.type).toBe('NodePort');
  });
});

describe('overrides that expose Hubble are refused at synth', () => {
  test.each([
    [{ hubble: { relay: { service: { type: 'LoadBalancer' } } } }, /hubble\.relay\.service\.type: "LoadBalancer"/],
    [{ hubble: { ui: { service: { type: 'NodePort' } } } }, /hubble\.ui\.service\.type: "NodePort"/],
    [{ hubble: { ui: { ingress: { enabled: true } } } }, /hubble\.ui\.ingress\.enabled: true/],
  ])('%j', (valuesOverrides, message) => {
    expect(() => renderCiliumValues({ ...HUBBLE, valuesOverrides }, CiliumVersion.V1_20)).toThrow(message);
    expect(() => renderCiliumValues({ ...HUBBLE, valuesOverrides }, CiliumVersion.V1_20)).toThrow(
      /Hubble Relay and UI have no authentication; .* set hubble\.allowExternalExposure: true/,
    );
  });

  test('an override that turns the typed internal NLB internet-facing is refused', () => {
    const uiExposure = HubbleUiExposure.internalLoadBalancer({ allowedCidrs: ['10.20.0.0/16'] });
    expect(() =>
      renderCiliumValues(
        {
          hubble: { relay: true, ui: true, uiExposure },
          valuesOverrides: {
            hubble: {
              ui: {
                service: { annotations: { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing' } },
              },
            },
          },
        },
        CiliumVersion.V1_20,
      ),
    ).toThrow(/hubble\.ui\.service\.type: "LoadBalancer"/);
  });

  test('ClusterIP set explicitly is no exposure', () => {
    expect(() => checkHubbleExposure({ hubble: { relay: { service: { type: 'ClusterIP' } } } }, {})).not.toThrow();
  });
});
