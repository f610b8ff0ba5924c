@clean-up @always @tutorial=step-8-clean-up
Feature: Step 8: Clean up
  Deleting the two deployments leaves Karpenter's nodes empty, and consolidation removes them.
  Terraform then destroys the add-ons, the cluster and the VPC, and CloudFormation the FIS
  template. Nothing the run created may be left behind.

  The tutorial says to wait 30 seconds for Karpenter's nodes to go. Karpenter takes up to its
  10-second disruption poll, then 15 seconds to check the nodes are still empty, then drains them
  and terminates their instances (Karpenter 1.x removes a Node only once EC2 no longer finds its
  instance): 30 to 90 seconds on AWS. The wait allows 2 minutes and the report says whether the
  tutorial's 30 seconds held. The section is tagged @always: it runs even when an earlier one
  failed, and a node that stays fails its step without skipping the destroy and the audit.

  Background:
    Given the tutorial has been followed up to this section

  Scenario: Karpenter removes its nodes once the workloads are gone
    When I run:
      """bash
      kubectl delete deployment stateless
      kubectl delete deployment stateful
      """
    Then the command succeeds
    And within 2 minutes no node that Karpenter launched remains, though the tutorial says to wait 30 seconds
    And the EC2 instances Karpenter launched are terminated
    And the report shows what the run's nodes cost, Spot and On-Demand
    And the report shows the nodes and pods over time, by capacity type

  Scenario: Terraform and CloudFormation remove everything else
    When I run:
      """bash
      export TF_VAR_region=$AWS_REGION
      terraform destroy -target="module.eks_blueprints_addons" --auto-approve
      terraform destroy -target="module.eks" --auto-approve
      terraform destroy --auto-approve
      aws cloudformation delete-stack --stack-name fis-spot-and-karpenter
      """
    Then the command succeeds
    And Terraform reports "Destroy complete!" 3 times
    And within 5 minutes the CloudFormation stack "fis-spot-and-karpenter" is gone

  Scenario: Nothing the run created is left
    # Karpenter makes launch templates and an instance profile outside Terraform; the tutorial's
    # clean-up leaves them (Karpenter is gone before it could remove them). spotcheck removes
    # them, and the EventBridge rule and queue it added to watch the interruption.
    When spotcheck removes what the tutorial leaves behind, and its own watcher of the event bus
    Then no AWS resource tagged with this run's "spotcheck:run" tag remains
    And no EC2 instance of the cluster "spot-and-karpenter" is running
    And the run's cleanup ledger has nothing left to undo
