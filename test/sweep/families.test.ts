/**
 * A quick run of the sweep's families inside jest (no external validators): every input is built or refused with a
 * MeshValidationError that names a construct, and no regex that Envoy or Cilium compiles is refused by RE2. The full
 * sweep with the CRD, CEL and Envoy checks runs in CI (scripts/ci/50-sweep.sh).
 */
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { FAMILIES } from './families';
import { classifyError, regexes } from './outcome';

describe.each(FAMILIES.map((f) => [f.name, f] as const))('sweep family %s', (_name, family) => {
  test('every input is built or refused with a construct path', () => {
    const problems: string[] = [];
    fc.sample(family.input, { seed: 42, numRuns: 25 }).forEach((input, i) => {
      try {
        const built = family.build(input);
        for (const r of regexes(built.objects)) {
          try {
            RE2JS.compile(r.pattern);
          } catch (e) {
            problems.push(`#${i} ${r.where}: ${(e as Error).message}`);
          }
        }
      } catch (e) {
        const { outcome, reason } = classifyError(e);
        if (outcome !== 'rejected') problems.push(`#${i} ${reason} input ${JSON.stringify(input)}`);
      }
    });
    expect(problems).toEqual([]);
  });
});
