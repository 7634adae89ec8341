import type { IConstruct } from 'constructs';
import { MeshValidationError } from '../private/errors';

/** The oldest and newest Cilium minor lines this library renders values for. */
const OLDEST_MINOR = 16;
const NEWEST_MINOR = 20;
/** SemVer 2.0.0 `MAJOR.MINOR.PATCH`: numeric identifiers without leading zeros (Helm and OCI tags compare them so). */
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

interface ParsedVersion {
  readonly problem?: string;
  readonly parts?: [number, number, number];
}

/**
 * Version strings parsed once (outside the instances, which tests compare by value): every mesh construct validates
 * the version and reads its line, a regular expression and three number conversions per read (~1 µs per object at
 * 20,000 objects). Keyed by the (readonly) version string; as many entries as distinct versions an app names.
 */
const PARSED = new Map<string, ParsedVersion>();

/**
 * A Cilium release, which pins the Helm chart version. Open set: use a constant for the newest patch of a
 * line that this library was tested with, or `CiliumVersion.of('1.19.6')` for any other patch.
 */
export class CiliumVersion {
  // Patch numbers: the newest release of each line whose upstream release notes could be confirmed
  // (https://github.com/cilium/cilium/releases/tag/v1.17.18, .../v1.18.14, .../v1.19.8, .../v1.20.2; the chart
  // https://helm.cilium.io/cilium-1.20.2.tgz is referenced by published projects). No later patch was found.
  /** Cilium 1.16.19 (2026-01-13), the last patch: 1.16 reached end of life 2026-02-03. */
  public static readonly V1_16 = new CiliumVersion('1.16.19');
  /** Cilium 1.17.18 (released 2026-07-16; the newest 1.17 patch found, 1.17 left support when 1.20 was released). */
  public static readonly V1_17 = new CiliumVersion('1.17.18');
  /** Cilium 1.18.14 (released 2026-09-16). */
  public static readonly V1_18 = new CiliumVersion('1.18.14');
  /** Cilium 1.19.8 (released 2026-09-16). */
  public static readonly V1_19 = new CiliumVersion('1.19.8');
  /** Cilium 1.20.2 (released 2026-09-16), the default. */
  public static readonly V1_20 = new CiliumVersion('1.20.2');

  /**
   * Any Cilium release `MAJOR.MINOR.PATCH` from 1.16 to 1.20. The format and the line are checked when a
   * construct uses the version (see `validate`), so that the error names that construct.
   */
  public static of(version: string): CiliumVersion {
    return new CiliumVersion(version);
  }

  /** The chart version, e.g. `1.20.0`. */
  public readonly version: string;

  private constructor(version: string) {
    this.version = version;
  }

  /** Major.minor of this release, e.g. `1.20`. */
  public get line(): string {
    const [major, minor] = this.parts();
    return `${major}.${minor}`;
  }

  /** The minor number (20 for 1.20.x). */
  public get minor(): number {
    return this.parts()[1];
  }

  /** The Helm chart version to install. */
  public get chartVersion(): string {
    return this.version;
  }

  /** True when this release is on line `1.<minor>` or newer. */
  public isAtLeast(minor: number): boolean {
    return this.minor >= minor;
  }

  /**
   * Throws a `MeshValidationError` (with the construct path of `scope`) when the version is not
   * `MAJOR.MINOR.PATCH` or its line is not supported.
   */
  public validate(scope?: IConstruct): this {
    const problem = this.problem();
    if (problem) {
      throw new MeshValidationError(problem, scope);
    }
    return this;
  }

  public toString(): string {
    return this.version;
  }

  private problem(): string | undefined {
    return this.parse().problem;
  }

  private parse(): ParsedVersion {
    let parsed = PARSED.get(this.version);
    if (parsed === undefined) {
      const problem = this.findProblem();
      const m = problem === undefined ? SEMVER.exec(this.version) : null;
      parsed = m ? { parts: [Number(m[1]), Number(m[2]), Number(m[3])] } : { problem };
      PARSED.set(this.version, parsed);
    }
    return parsed;
  }

  private findProblem(): string | undefined {
    const m = SEMVER.exec(this.version);
    if (!m) {
      return (
        `Cilium version must be MAJOR.MINOR.PATCH (SemVer 2.0.0: no leading zeros, e.g. '1.20.0'), got '${this.version}'; ` +
        `use CiliumVersion.V1_20 or CiliumVersion.of('1.20.0')`
      );
    }
    const major = Number(m[1]);
    const minor = Number(m[2]);
    if (major !== 1 || minor < OLDEST_MINOR || minor > NEWEST_MINOR) {
      return (
        `Cilium version '${this.version}' is not on a supported line (1.${OLDEST_MINOR} to 1.${NEWEST_MINOR}); ` +
        `use CiliumVersion.V1_20 or a patch of a supported line`
      );
    }
    return undefined;
  }

  private parts(): [number, number, number] {
    this.validate();
    return this.parse().parts!;
  }
}
