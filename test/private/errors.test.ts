import { App, Stack } from 'aws-cdk-lib';
import { atScope, MeshValidationError } from '../../lib/private/errors';

describe('MeshValidationError', () => {
  test('appends the construct path', () => {
    const stack = new Stack(new App(), 'S');
    const err = new MeshValidationError('bad value 3; pass 4', stack);
    expect(err.message).toBe('bad value 3; pass 4 [at S]');
    expect(err.constructPath).toBe('S');
    expect(err).toBeInstanceOf(MeshValidationError);
  });

  test('atScope re-raises path-less errors with the path and leaves others alone', () => {
    const stack = new Stack(new App(), 'S');
    expect(() =>
      atScope(stack, () => {
        throw new MeshValidationError('x must be y');
      }),
    ).toThrow(/^x must be y \[at S\]$/);
    const other = new Stack(new App(), 'Other');
    expect(() =>
      atScope(stack, () => {
        throw new MeshValidationError('z', other);
      }),
    ).toThrow(/^z \[at Other\]$/);
    expect(() =>
      atScope(stack, () => {
        throw new RangeError('plain');
      }),
    ).toThrow(RangeError);
    expect(atScope(stack, () => 42)).toBe(42);
  });
});
