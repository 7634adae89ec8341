/**
 * Small CRDs written for these tests (not upstream text): a namespaced `Widget` in group `test.example.com`
 * whose schema exercises defaulting, per-item rules, has(), messages, unsupported functions and transition rules.
 */
import type { K8sSchema } from '../../../scripts/cel/crds';

export const GROUP = 'test.example.com';

/** A v1 CustomResourceDefinition document serving `v1` of `kind` with the given spec schema. */
export function crd(
  kind: string,
  spec: K8sSchema,
  rootRules: K8sSchema['x-kubernetes-validations'] = [],
): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${kind.toLowerCase()}s.${GROUP}` },
    spec: {
      group: GROUP,
      names: { kind, plural: `${kind.toLowerCase()}s` },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec,
              },
              ...(rootRules.length ? { 'x-kubernetes-validations': rootRules } : {}),
            },
          },
        },
        { name: 'v0', served: false, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
      ],
    },
  };
}

/** Widget spec: `targets` (defaulted kind, per-item rule), `ports` (array-level rule), `mode`/`limits`. */
export const WIDGET_SPEC: K8sSchema = {
  type: 'object',
  properties: {
    targets: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string', default: 'Backend' },
          name: { type: 'string' },
          port: { type: 'integer' },
        },
        'x-kubernetes-validations': [
          { rule: "self.kind != 'Backend' || has(self.port)", message: 'a Backend target needs a port' },
        ],
      },
    },
    ports: {
      type: 'array',
      items: { type: 'integer' },
      'x-kubernetes-validations': [{ rule: 'self.all(p, p > 0 && p < 65536)', message: 'ports must be 1-65535' }],
    },
    mode: {
      type: 'string',
      'x-kubernetes-validations': [
        { rule: "self in ['fast', 'safe']", messageExpression: "'mode ' + self + ' is not one of fast, safe'" },
        { rule: 'self == oldSelf', message: 'mode is immutable' },
      ],
    },
    link: { type: 'string', 'x-kubernetes-validations': [{ rule: 'isURL(self)', message: 'link must be a URL' }] },
    namespace: { type: 'string' },
    weight: { type: 'number' },
    labels: {
      type: 'object',
      additionalProperties: {
        type: 'string',
        'x-kubernetes-validations': [{ rule: 'self.size() <= 5', message: 'label values are at most 5 characters' }],
      },
    },
  },
  'x-kubernetes-validations': [
    { rule: 'has(self.targets) || has(self.ports)', message: 'targets or ports must be set' },
    {
      rule: "!has(self.__namespace__) || self.__namespace__ != 'forbidden'",
      message: 'namespace must not be forbidden',
    },
    { rule: 'type(self.weight) == double || !has(self.weight)', message: 'weight is a double' },
  ],
};

export const WIDGET_ROOT_RULES = [{ rule: "self.metadata.name.startsWith('w-')", message: "names start with 'w-'" }];

export function widget(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name, namespace: 'ns' }, spec };
}
