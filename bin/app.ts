#!/usr/bin/env node
/** The app `npx cdk synth` runs (cdk.json): the quickstart example, environment-agnostic and offline. */
import { App } from 'aws-cdk-lib';
import { QuickstartStack } from '../examples/quickstart';

const app = new App();
new QuickstartStack(app, 'CiliumMeshQuickstart');
