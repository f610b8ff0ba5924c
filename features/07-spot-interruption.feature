@spot-interruption @optional @tutorial=step-6-optional-simulate-spot-interruption
Feature: Step 6 (optional): Simulate a Spot interruption
  EC2 takes Spot capacity back with a two-minute notice. Fault Injection Simulator sends that
  notice to one of the Spot instances Karpenter launched; EventBridge puts it in Karpenter's
  interruption queue; Karpenter cordons the node (with its disruption taint), drains it, deletes it
  and launches a replacement at once, so the pods are running again before EC2 reclaims the instance.

  Background:
    Given the tutorial has been followed up to this section

  Scenario: A FIS experiment template for Spot interruptions
    When I run:
      """bash
      wget https://raw.githubusercontent.com/build-on-aws/run-kubernetes-clusters-for-less-with-amazon-ec2-spot-and-karpenter/main/fis/spotinterruption.yaml
      """
    Then the command succeeds
    When I run:
      """bash
      aws cloudformation deploy --stack-name fis-spot-and-karpenter --template-file spotinterruption.yaml --capabilities "CAPABILITY_NAMED_IAM"
      """
    Then the command succeeds
    And the CloudFormation stack "fis-spot-and-karpenter" is CREATE_COMPLETE
    And its output "FISExperimentID" names a FIS experiment template that interrupts 1 running Spot instance tagged "project" = "build-on-aws", with a 2-minute notice

  Scenario: Karpenter replaces an interrupted Spot node before EC2 reclaims it
    Given spotcheck watches the default event bus for Spot interruption warnings and instance state changes
    When in another terminal, "nodes", I run:
      """bash
      kubectl get nodes -L karpenter.sh/capacity-type,beta.kubernetes.io/instance-type,topology.kubernetes.io/zone -l karpenter.sh/capacity-type=spot --watch
      """
    And in another terminal, "logs", I run:
      """bash
      alias kl='kubectl -n karpenter logs -l app.kubernetes.io/name=karpenter --all-containers=true -f --tail=20';
      kl
      """
    And I run:
      """bash
      FIS_EXP_TEMP_ID=$(aws cloudformation describe-stacks --stack-name fis-spot-and-karpenter --query "Stacks[0].Outputs[?OutputKey=='FISExperimentID'].OutputValue" --output text)
      aws fis start-experiment --experiment-template-id $FIS_EXP_TEMP_ID --no-cli-pager
      """
    Then the command succeeds
    And the output names the experiment, whose state is "initiating" or "running"
    And within 1 minute EC2 warns one of Karpenter's Spot instances of its interruption, and EventBridge routes the warning to the queue "karpenter-spot-and-karpenter"
    And within 1 minute the Karpenter log shows a line with:
      | controller  | interruption                                 |
      | message     | initiating delete from interruption message  |
      | queue       | karpenter-spot-and-karpenter                 |
      | messageKind | SpotInterruptionKind                         |
      | action      | CordonAndDrain                               |
    And that line names the interrupted node and its NodeClaim
    And within 1 minute the interrupted node carries Karpenter's disruption taint and its pods are evicted
    And within 1 minute the Karpenter log shows a "created nodeclaim" line for the evicted pods, with a replacement in the same zone
    And within 2 minutes the interrupted node is gone, and a replacement Spot node is Ready
    And within 2 minutes all 10 pods of the deployment "stateless" are Running again
    And the replacement was Ready before EC2 reclaimed the interrupted instance
    And within 3 minutes the experiment is "completed" and the interrupted instance is terminated
    When I stop the commands in the other terminals
    Then the "nodes" terminal showed the interrupted node leave and the replacement join
    And the "logs" terminal showed the line "initiating delete from interruption message"
    And the report shows the interruption timeline: experiment started, message queued, node tainted, replacement launched, pods Running
    And the report shows the nodes and pods over time, by capacity type

  Scenario: eks-node-viewer shows the nodes' usage
    When I run, and leave it running:
      """bash
      eks-node-viewer
      """
    Then within 30 seconds it shows each node with its instance type, the share of its CPU the pods request, and its price
    When I stop it
