@cloud9 @optional @tutorial=step-1-create-a-cloud9-environment
Feature: Step 1 (optional): Create a Cloud9 environment
  The tutorial offers a Cloud9 environment with every tool installed. AWS closed Cloud9 to new
  customers in July 2024 and the sandbox has no Cloud9, so this section runs only when asked for,
  on an account that still has Cloud9 (world parameter `cloud9: true`); otherwise the report shows
  it skipped, with the reason. Everything after it runs from any terminal with the prerequisites.

  Scenario: A Cloud9 environment is created from the tutorial's CloudFormation template
    Given the target offers Cloud9
    And a public subnet of the account's default VPC
    When I run, with "<<YOUR PUBLIC SUBNET ID GOES HERE>>" replaced by that subnet's ID:
      """bash
      export C9PUBLICSUBNET='<<YOUR PUBLIC SUBNET ID GOES HERE>>'
      """
    And I run:
      """bash
      wget https://raw.githubusercontent.com/build-on-aws/run-kubernetes-clusters-for-less-with-amazon-ec2-spot-and-karpenter/main/cloud9-cnf.yaml
      aws cloudformation deploy --stack-name EKSKarpenterCloud9 --parameter-overrides C9PublicSubnet=$C9PUBLICSUBNET --template-file cloud9-cnf.yaml --capabilities "CAPABILITY_IAM"
      """
    Then the command succeeds
    And the CloudFormation stack "EKSKarpenterCloud9" is CREATE_COMPLETE

  Scenario: Cloud9 stops managing the environment's credentials
    Given the target offers Cloud9
    And the ID of the Cloud9 environment is exported as C9_PID
    When I run, in the Cloud9 environment's terminal:
      """bash
      aws cloud9 update-environment --environment-id ${C9_PID} --managed-credentials-action DISABLE
      rm -vf ${HOME}/.aws/credentials
      """
    Then the command succeeds
