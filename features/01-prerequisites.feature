@prerequisites @tutorial=prerequisites
Feature: Prerequisites
  The tutorial runs from a terminal with an AWS account behind it and four command-line tools:
  the AWS CLI, kubectl, Terraform and Helm. On the sandbox target the account is the sandbox's,
  and Helm, which the tutorial only uses to log out of a registry, may be the sandbox's stand-in.

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
