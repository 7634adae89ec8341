import type * as gw from '../../imports/gateway.networking.k8s.io';
import type * as gwx from '../../imports/gateway.networking.k8s.io.experimental';

/**
 * The generated Gateway API bindings, loaded when a route or Gateway first renders, not when the library loads:
 * the two files are 1.8 MB of TypeScript, which `ts-node` (as `npx cdk synth` runs the app) would otherwise
 * transpile on every synth of any app, Gateway API or not. Types come from `import type`, which costs nothing.
 */
export function gatewayBindings(): typeof gw {
  return require('../../imports/gateway.networking.k8s.io') as typeof gw;
}

/** The experimental-channel Gateway API bindings, loaded on first use (see `gatewayBindings`). */
export function experimentalGatewayBindings(): typeof gwx {
  return require('../../imports/gateway.networking.k8s.io.experimental') as typeof gwx;
}
