/**
 * Loads CustomResourceDefinitions (apiextensions.k8s.io/v1) from files and directories and finds the structural
 * schema of the served version for an object's apiVersion and kind.
 */
import { expandItems, isObject, listFiles, loadDocuments } from './files';

/** One CEL validation rule of a schema node (`x-kubernetes-validations[i]`). */
export interface ValidationRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly reason?: string;
  readonly fieldPath?: string;
  readonly optionalOldSelf?: boolean;
}

/** The parts of a Kubernetes structural schema (OpenAPI v3 subset) that defaulting and CEL evaluation use. */
export interface K8sSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, K8sSchema>>;
  readonly additionalProperties?: K8sSchema | boolean;
  readonly items?: K8sSchema;
  readonly default?: unknown;
  readonly nullable?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-embedded-resource'?: boolean;
  readonly 'x-kubernetes-validations'?: readonly ValidationRule[];
}

/** The schema of one served version of a kind. */
export interface CrdVersion {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly schema: K8sSchema;
}

export class CrdRegistry {
  /** "group/Kind" → version name → entry (served versions only). */
  private readonly byGroupKind = new Map<string, Map<string, CrdVersion>>();
  private crds = 0;

  /** Number of CRD documents loaded. */
  public get crdCount(): number {
    return this.crds;
  }

  /** Loads every CRD from the given files and directories (other documents are ignored). */
  public addPath(p: string): void {
    for (const file of listFiles(p)) {
      for (const { doc } of loadDocuments(file)) {
        expandItems(doc).forEach((d) => this.addDocument(d));
      }
    }
  }

  /** Adds one document when it is a CustomResourceDefinition. */
  public addDocument(doc: unknown): void {
    if (
      !isObject(doc) ||
      doc.kind !== 'CustomResourceDefinition' ||
      typeof doc.apiVersion !== 'string' ||
      !doc.apiVersion.startsWith('apiextensions.k8s.io/') ||
      !isObject(doc.spec)
    ) {
      return;
    }
    const spec = doc.spec;
    const names = isObject(spec.names) ? spec.names : {};
    if (typeof spec.group !== 'string' || typeof names.kind !== 'string' || !Array.isArray(spec.versions)) {
      return;
    }
    this.crds++;
    const key = `${spec.group}/${names.kind}`;
    const versions = this.byGroupKind.get(key) ?? new Map<string, CrdVersion>();
    this.byGroupKind.set(key, versions);
    for (const v of spec.versions) {
      if (!isObject(v) || v.served !== true || typeof v.name !== 'string') {
        continue;
      }
      const validation = isObject(v.schema) ? v.schema : isObject(spec.validation) ? spec.validation : {};
      const schema = isObject(validation.openAPIV3Schema) ? validation.openAPIV3Schema : {};
      versions.set(v.name, { group: spec.group, version: v.name, kind: names.kind, schema: schema as K8sSchema });
    }
  }

  /** The served version's schema for `apiVersion`/`kind`, or undefined when no loaded CRD serves it. */
  public lookup(apiVersion: string, kind: string): CrdVersion | undefined {
    const slash = apiVersion.lastIndexOf('/');
    if (slash < 0) {
      return undefined; // core group (v1): no CRD
    }
    const group = apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    return this.byGroupKind.get(`${group}/${kind}`)?.get(version);
  }
}
