// The SDK clients that leftovers need beyond support/aws-clients.ts (KMS keys, CloudWatch log
// groups, SSM parameters such as the run lock), built from the same endpoint, region and
// credentials as the AwsClients they extend, and destroyed with them.

import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import { KMSClient } from '@aws-sdk/client-kms'
import { SSMClient } from '@aws-sdk/client-ssm'
import type { AwsClients } from './aws-clients.ts'

export interface ExtraClients {
  kms: KMSClient
  logs: CloudWatchLogsClient
  ssm: SSMClient
}

const extras = new WeakMap<AwsClients, ExtraClients>()

export function extraClients(aws: AwsClients): ExtraClients {
  let found = extras.get(aws)
  if (found) return found
  const base = aws.sts.config
  const config = { region: aws.region, credentials: base.credentials, maxAttempts: 5, ...(base.isCustomEndpoint ? { endpoint: base.endpoint } : {}) }
  found = { kms: new KMSClient(config), logs: new CloudWatchLogsClient(config), ssm: new SSMClient(config) }
  extras.set(aws, found)
  const made = found
  const destroy = aws.destroy.bind(aws)
  aws.destroy = () => {
    made.kms.destroy()
    made.logs.destroy()
    made.ssm.destroy()
    destroy()
  }
  return found
}
