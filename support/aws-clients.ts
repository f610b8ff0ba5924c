// AWS SDK v3 clients for the target, built from the same environment the tutorial's commands get
// (endpoint, region, credentials): the steps' view of the account is the terminal's.

import { CloudFormationClient } from '@aws-sdk/client-cloudformation'
import { EC2Client } from '@aws-sdk/client-ec2'
import { EKSClient } from '@aws-sdk/client-eks'
import { EventBridgeClient } from '@aws-sdk/client-eventbridge'
import { FisClient } from '@aws-sdk/client-fis'
import { IAMClient } from '@aws-sdk/client-iam'
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api'
import { SQSClient } from '@aws-sdk/client-sqs'
import { STSClient } from '@aws-sdk/client-sts'

export interface AwsClients {
  region: string
  cloudformation: CloudFormationClient
  ec2: EC2Client
  eks: EKSClient
  events: EventBridgeClient
  fis: FisClient
  iam: IAMClient
  tagging: ResourceGroupsTaggingAPIClient
  sqs: SQSClient
  sts: STSClient
  destroy(): void
}

/** Clients for `env`: explicit endpoint and credentials when it has them, the default chain otherwise. */
export function awsClients(env: Record<string, string | undefined>): AwsClients {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION
  if (!region) throw new Error('no AWS region: set AWS_REGION (or pass --world-parameters \'{"region":"…"}\')')
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        }
      : undefined
  const config = { region, maxAttempts: 5, ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}), ...(credentials ? { credentials } : {}) }
  const clients = {
    region,
    cloudformation: new CloudFormationClient(config),
    ec2: new EC2Client(config),
    eks: new EKSClient(config),
    events: new EventBridgeClient(config),
    // The registry offers only an older FIS client (3.523); its config types differ slightly.
    fis: new FisClient(config),
    iam: new IAMClient(config),
    tagging: new ResourceGroupsTaggingAPIClient(config),
    sqs: new SQSClient(config),
    sts: new STSClient(config),
  }
  return {
    ...clients,
    destroy() {
      for (const c of Object.values(clients)) if (typeof c === 'object' && 'destroy' in c) c.destroy()
    },
  }
}
