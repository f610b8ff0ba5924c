@prerequisites @tutorial=prerequisites
Feature: Prerequisites
  The tutorial runs from a terminal with an AWS account behind it and four command-line tools:
  the AWS CLI, kubectl, Terraform and Helm. On the sandbox target the account is the sandbox's,
  and Helm, which the tutorial only uses to log out of a registry, may be the sandbox's stand-in.

  Scenario: Preflight: the edition still fits the platform of the run's day
    Before anything is created, the tutorial's versions and texts (or the current edition's) are
    judged against the platform of the run's day, with the same questions on both targets: is the
    Kubernetes version offered (EKS DescribeClusterVersions), is there an AMI of the node image
    family for it (SSM), can the Karpenter chart be pulled, does that Karpenter support a version
    EKS offers and serve the manifests' apiVersions, do the Terraform constraints reach a breaking
    major, is Cloud9 open. Each incompatibility is a drift cause, with its date, its source and
    the current edition's edit that answers it. Cloud9 is listed but never fails the run: Step 1
    is optional. The tutorial as published ran Karpenter v0.32.1 on Kubernetes 1.29, outside
    Karpenter's matrix (up to 1.28): that is a note, not a failure.
    Then the edition's versions and texts fit the platform of the run's day

  Scenario: The command-line tools the tutorial uses answer with their versions
    When I run:
      """bash
      aws --version
      kubectl version --client=true -o json
      terraform version
      helm version
      """
    Then the command succeeds
    And the output shows the version of each tool:
      | tool      | version pattern                                    |
      | AWS CLI   | aws-cli/\d+\.\d+\.\d+                              |
      | kubectl   | "clientVersion":                                   |
      | Terraform | Terraform v\d+\.\d+\.\d+                           |
      | Helm      | version\.BuildInfo\{Version:"[^"]+"                |

  Scenario: The AWS account answers
    Then the target's AWS account answers, and the report names the target and its region
