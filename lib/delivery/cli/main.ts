#!/usr/bin/env node
/** The `cdk-cilium-mesh` command (package.json "bin"): see deliver.ts. */
import { main } from './deliver';

process.exitCode = main(
  process.argv.slice(2),
  (l) => process.stdout.write(`${l}\n`),
  (l) => process.stderr.write(`${l}\n`),
);
