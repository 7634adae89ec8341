/** How the sweep judges one input (shared by test/sweep/sweep.ts and its jest smoke test). */
import { MeshValidationError } from '../../lib';

/** valid: accepted, objects pass every check; rejected: our error with a construct path; else invalid or crashed. */
export type Outcome = 'valid' | 'rejected' | 'invalid' | 'crashed';

/** Classifies a thrown value: our error with a construct path is a rejection, anything else a crash. */
export function classifyError(e: unknown): { outcome: Outcome; reason: string } {
  // Errors of values rendered at synth (Lazy) reach the caller wrapped by cdk8s' serializer in a plain Error whose
  // message is ours, construct path included: `Failed serializing construct at path '…': MeshValidationError: … [at …]`.
  const wrapped =
    e instanceof Error && !(e instanceof MeshValidationError)
      ? /^Failed serializing construct at path '[^']*' with name '[^']*': MeshValidationError: (.* \[at [^\]]+\])$/s.exec(
          e.message,
        )
      : null;
  if (wrapped) return { outcome: 'rejected', reason: wrapped[1] };
  if (e instanceof MeshValidationError) {
    return e.constructPath
      ? { outcome: 'rejected', reason: e.message }
      : { outcome: 'crashed', reason: `MeshValidationError without a construct path: ${e.message}` };
  }
  return {
    outcome: 'crashed',
    reason: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack?.split('\n').slice(1, 4).join('\n')}` : String(e),
  };
}

/** Every regex in the objects that Envoy or Cilium compiles, with where it is. */
export function regexes(objects: readonly any[]): { where: string; pattern: string }[] {
  const out: { where: string; pattern: string }[] = [];
  for (const o of objects) {
    const spec = o?.spec ?? {};
    for (const [ri, r] of (spec.rules ?? []).entries()) {
      for (const [mi, m] of (r.matches ?? []).entries()) {
        if (m.path?.type === 'RegularExpression')
          out.push({ where: `${o.kind} rules[${ri}].matches[${mi}].path`, pattern: m.path.value });
        for (const h of [...(m.headers ?? []), ...(m.queryParams ?? [])]) {
          if (h.type === 'RegularExpression')
            out.push({ where: `${o.kind} rules[${ri}].matches[${mi}] ${h.name}`, pattern: h.value });
        }
      }
    }
    for (const section of ['ingress', 'egress']) {
      for (const rule of spec[section] ?? []) {
        for (const tp of rule.toPorts ?? []) {
          for (const h of tp.rules?.http ?? []) {
            for (const f of ['method', 'path', 'host'])
              if (h[f] !== undefined) out.push({ where: `${o.kind} ${section} http.${f}`, pattern: h[f] });
          }
        }
      }
    }
  }
  return out;
}
