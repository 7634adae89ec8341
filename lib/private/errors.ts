import type { IConstruct } from 'constructs';

/**
 * `Error` seen through a class of this module: jsii refuses `extends Error` on an exported class even when it is
 * `@internal`, and erases un-exported base classes (aws-cdk-lib's `ValidationError` extends its un-exported
 * `ConstructError` the same way, aws-cdk-lib `core/lib/errors.ts`).
 */
abstract class ErrorBase extends Error {}

/**
 * The one error class of this library. Every message says what was received and how to fix it; when the
 * error is raised for a construct, the construct path is appended as ` [at Stack/Path]`.
 *
 * TypeScript and JavaScript code catches it with `instanceof MeshValidationError`. It is not part of the jsii
 * assembly (jsii classes cannot extend `Error`), so Python, Java, Go and .NET apps receive the jsii runtime's
 * error for it (in Python a `RuntimeError`) carrying the same message, construct path included.
 * @internal
 */
export class MeshValidationError extends ErrorBase {
  /** Path of the construct the error is about, when known. */
  public readonly constructPath?: string;
  /** The message without the construct path suffix. */
  public readonly detail: string;

  constructor(message: string, scope?: IConstruct) {
    const path = scope?.node.path;
    super(path ? `${message} [at ${path}]` : message);
    this.name = 'MeshValidationError';
    this.detail = message;
    this.constructPath = path;
    Object.setPrototypeOf(this, MeshValidationError.prototype);
  }
}

/**
 * Runs a pure function (which throws path-less `MeshValidationError`s) on behalf of a construct, so that
 * any such error is re-raised with the construct path. Other errors pass through unchanged.
 */
export function atScope<T>(scope: IConstruct, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof MeshValidationError && e.constructPath === undefined) {
      throw new MeshValidationError(e.detail, scope);
    }
    throw e;
  }
}
