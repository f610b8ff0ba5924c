@nodepool @tutorial=step-3-set-up-a-karpenter-nodepool
Feature: Step 3: Set up a Karpenter NodePool
  Karpenter launches nodes for pods no node can take. A NodePool says which nodes it may launch and
  an EC2NodeClass how: the tutorial's default NodePool allows Spot and On-Demand capacity, both
  architectures, the c, m and r categories with more than 4 vCPUs and 8 GiB of memory, and labels
  its nodes `intent=apps`; its EC2NodeClass finds subnets and security groups by the cluster's
  discovery tag and tags the instances `project: build-on-aws`.

  Background:
    Given the tutorial has been followed up to this section

  Scenario: The account may launch Spot instances
    When I run:
      """bash
      aws iam create-service-linked-role --aws-service-name spot.amazonaws.com || true
      """
    Then the command succeeds
    And the IAM role "AWSServiceRoleForEC2Spot" exists

  Scenario: A default NodePool and EC2NodeClass from the cluster's Terraform outputs
    When I run:
      """bash
      export CLUSTER_NAME=$(terraform output -raw cluster_name)
      export KARPENTER_NODE_IAM_ROLE_NAME=$(terraform output -raw node_instance_profile_name)
      """
    Then the variable CLUSTER_NAME is "spot-and-karpenter"
    And the variable KARPENTER_NODE_IAM_ROLE_NAME is "karpenter-spot-and-karpenter"
    When I run:
      """bash
      cat <<EOF | kubectl apply -f -
      apiVersion: karpenter.sh/v1beta1
      kind: NodePool
      metadata:
        name: default 
      spec:  
        template:
          metadata:
            labels:
              intent: apps
          spec:
            requirements:
              - key: kubernetes.io/arch
                operator: In
                values: ["amd64", "arm64"]
              - key: "karpenter.k8s.aws/instance-cpu"
                operator: Gt
                values: ["4"]
              - key: "karpenter.k8s.aws/instance-memory"
                operator: Gt
                values: ["8191"] # 8 * 1024 - 1
              - key: karpenter.sh/capacity-type
                operator: In
                values: ["spot", "on-demand"]
              - key: karpenter.k8s.aws/instance-category
                operator: In
                values: ["c", "m", "r"]
            nodeClassRef:
              apiVersion: karpenter.k8s.aws/v1beta1
              kind: EC2NodeClass
              name: default
            kubelet:
              systemReserved:
                cpu: 100m
                memory: 100Mi
        disruption:
          consolidationPolicy: WhenUnderutilized
          expireAfter: 168h # 7 * 24h = 168h
        
      ---   

      apiVersion: karpenter.k8s.aws/v1beta1
      kind: EC2NodeClass
      metadata:
        name: default
      spec:
        amiFamily: AL2
        subnetSelectorTerms:          
          - tags:
              karpenter.sh/discovery: ${CLUSTER_NAME}
        securityGroupSelectorTerms:
          - tags:
              karpenter.sh/discovery: ${CLUSTER_NAME}
        role: ${KARPENTER_NODE_IAM_ROLE_NAME}
        tags:
          project: build-on-aws
          IntentLabel: apps
          KarpenterNodePoolName: default
          NodeType: default
          intent: apps
          karpenter.sh/discovery: ${CLUSTER_NAME}
      EOF
      """
    Then the output contains "nodepool.karpenter.sh/default created"
    And the output contains "ec2nodeclass.karpenter.k8s.aws/default created"
    And within 1 minute the EC2NodeClass "default" resolves the subnets and security groups tagged "karpenter.sh/discovery" = "spot-and-karpenter"
    And the NodePool "default" allows more than 100 of the region's instance types, all of the categories c, m or r with more than 4 vCPUs and more than 8191 MiB of memory
