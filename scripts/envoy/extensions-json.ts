/**
 * Writes the cilium-envoy extension table of lib/cilium/envoy-extensions.ts as JSON for the Envoy checker
 * (main.go): one entry per supported Cilium line, at the patch the library pins for it. Usage:
 * `ts-node --transpile-only scripts/envoy/extensions-json.ts OUT.json`.
 */
import * as fs from 'fs';
import { envoyExtensionsJson } from '../../lib/cilium/envoy-extensions';
import { CiliumVersion } from '../../lib/cilium/version';

const out = process.argv[2];
if (!out) {
  console.error('usage: extensions-json.ts OUT.json');
  process.exit(2);
}
const versions = [
  CiliumVersion.V1_16,
  CiliumVersion.V1_17,
  CiliumVersion.V1_18,
  CiliumVersion.V1_19,
  CiliumVersion.V1_20,
];
fs.writeFileSync(out, JSON.stringify(envoyExtensionsJson(versions), null, 2) + '\n');
