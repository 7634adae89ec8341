import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import * as cdk from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';

/** The account and region of test stacks that need a concrete environment. */
export const TEST_ENV = { account: '111111111111', region: 'eu-west-1' };

/** `AccessPolicies` of an EKS access entry with AmazonEKSClusterAdminPolicy at cluster scope, as synthesized. */
export const CLUSTER_ADMIN_ACCESS_POLICIES = [
  {
    AccessScope: { Type: 'cluster' },
    PolicyArn: {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy'],
      ],
    },
  },
];

/** Options for the test stacks below. */
export interface TestStackOptions {
  /** @default 'Stack' */
  readonly id?: string;
  /** Give the stack TEST_ENV. @default true */
  readonly env?: boolean;
  /** aws-cdk-lib's built-in template validation on synth. @default true */
  readonly validation?: boolean;
}

function testStack(o: TestStackOptions): { app: cdk.App; stack: cdk.Stack } {
  const app = new cdk.App(o.validation === false ? ({ builtinCloudFormationValidation: false } as cdk.AppProps) : {});
  const stack = new cdk.Stack(app, o.id ?? 'Stack', o.env === false ? {} : { env: TEST_ENV });
  return { app, stack };
}

/** A plain aws-eks-v2 cluster (not MeshCluster) with the bundled kubectl layer, in a fresh app and stack. */
export function eksClusterStack(o: TestStackOptions & { version?: eks.KubernetesVersion } = {}) {
  const { app, stack } = testStack(o);
  const cluster = new eks.Cluster(stack, 'Cluster', {
    version: o.version ?? eks.KubernetesVersion.V1_35,
    kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(stack, 'Kubectl') },
  });
  return { app, stack, cluster };
}

/** An imported cluster `prod` (endpoint and CA given), in a fresh app and stack without template validation. */
export function importedClusterStack(o: TestStackOptions = {}) {
  const { app, stack } = testStack({ validation: false, ...o });
  const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', {
    clusterName: 'prod',
    clusterEndpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
    clusterCertificateAuthorityData: 'Q0E=',
  });
  return { app, stack, cluster };
}
