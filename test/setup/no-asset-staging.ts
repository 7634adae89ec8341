/**
 * Asset staging is switched off for unit tests (`aws:cdk:disable-asset-staging`, the context the SAM CLI uses):
 * templates carry the same asset hashes either way, as they fingerprint the sources; only the copies are skipped —
 * otherwise every synthesized app copies the 36 MB kubectl layer into its output directory. The examples test turns
 * staging back on for its full cloud-assembly comparison. Temp directories: see global-scratch.ts.
 */
process.env.CDK_CONTEXT_JSON = JSON.stringify({ 'aws:cdk:disable-asset-staging': true });
