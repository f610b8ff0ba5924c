@cluster @tutorial=step-2-create-an-eks-cluster-with-karpenter-using-eks-blueprints-for-terraform
Feature: Step 2: Create an EKS cluster with Karpenter using EKS Blueprints for Terraform
  Terraform creates a VPC over three zones, the EKS control plane, an On-Demand managed node group
  for kube-system and Karpenter, and Karpenter itself with the IAM roles, the interruption queue
  and the EventBridge rules it needs. The tutorial applies it in three passes, then points kubectl
  at the new cluster.

  Scenario: Terraform creates the VPC, the cluster and its add-ons
    When I run:
      """bash
      wget https://raw.githubusercontent.com/build-on-aws/run-kubernetes-clusters-for-less-with-amazon-ec2-spot-and-karpenter/main/cluster/terraform/main.tf
      helm registry logout public.ecr.aws
      export TF_VAR_region=$AWS_REGION
      terraform init
      terraform apply -target="module.vpc" -auto-approve
      terraform apply -target="module.eks" -auto-approve
      terraform apply --auto-approve
      """
    Then the command succeeds
    And Terraform reports "Apply complete!" 3 times
    And the VPC "spot-and-karpenter" has public and private subnets in 3 availability zones
    And the private subnets carry the tag "karpenter.sh/discovery" = "spot-and-karpenter"
    And the EKS cluster "spot-and-karpenter" is ACTIVE
    And the SQS queue "karpenter-spot-and-karpenter" receives the 4 kinds of EC2 and AWS Health events Karpenter handles

  Scenario: kubectl talks to the cluster, and Karpenter runs on the managed node group
    When I run:
      """bash
      aws eks --region $AWS_REGION update-kubeconfig --name spot-and-karpenter
      """
    Then the command succeeds
    When I run:
      """bash
      terraform output -raw configure_kubectl
      """
    Then the output is "aws eks --region $AWS_REGION update-kubeconfig --name spot-and-karpenter" with $AWS_REGION expanded
    When I run:
      """bash
      kubectl get pods -n karpenter
      """
    Then the output is a table with the columns "NAME READY STATUS RESTARTS AGE"
    And within 5 minutes 2 pods labelled "app.kubernetes.io/name=karpenter" run in the namespace "karpenter", each 1/1 Ready
    And the Karpenter pods run on nodes labelled "intent=control-apps" whose capacity type is On-Demand
