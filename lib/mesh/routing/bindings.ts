import type * as gw from '../../imports/gateway.networking.k8s.io';
import type * as gwx from '../../imports/gateway.networking.k8s.io.experimental';
import { generatedModule } from '../rendered-object';

/**
 * The generated Gateway API bindings, loaded when a route or Gateway first renders, not when the library loads:
 * the two files are 1.8 MB of TypeScript, which `ts-node` (as `npx cdk synth` runs the app) would otherwise
 * transpile on every synth of any app, Gateway API or not. Types come from `import type`, which costs nothing.
 */
export function gatewayBindings(): typeof gw {
  // kept after the first call: `require` of a loaded module still resolves its path (~0.8 µs per call, several calls
  // per route)
  return (standard ??= generatedModule(require('../../imports/gateway.networking.k8s.io') as typeof gw));
}

let standard: typeof gw | undefined;
let experimental: typeof gwx | undefined;

/** The experimental-channel Gateway API bindings, loaded on first use (see `gatewayBindings`). */
export function experimentalGatewayBindings(): typeof gwx {
  return (experimental ??= generatedModule(
    require('../../imports/gateway.networking.k8s.io.experimental') as typeof gwx,
  ));
}
