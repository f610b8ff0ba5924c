@stateful-on-demand @optional @tutorial=step-7-optional-deploy-a-stateful-workload
Feature: Step 7 (optional): Deploy a stateful workload on On-Demand capacity
  The same NodePool also serves workloads that should not run on Spot: a nodeSelector on the
  On-Demand capacity type makes Karpenter launch an On-Demand node, the cheapest that fits
  (lowest-price), beside the Spot ones.

  Background:
    Given the tutorial has been followed up to this section

  Scenario: Seven pods ask for On-Demand capacity and get one On-Demand node
    When I run:
      """bash
      cat <<EOF > workload-stateful.yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: stateful
      spec:
        replicas: 7
        selector:
          matchLabels:
            app: stateful
        template:
          metadata:
            labels:
              app: stateful
          spec:
            nodeSelector:
              intent: apps
              karpenter.sh/capacity-type: on-demand
            containers:
            - name: app
              image: public.ecr.aws/eks-distro/kubernetes/pause:v1.29.0-eks-1-29-latest
              resources:
                requests:
                  cpu: 512m
                  memory: 512Mi
      EOF
      kubectl apply -f workload-stateful.yaml
      """
    Then the output is "deployment.apps/stateful created"
    And the 7 pods of the deployment "stateful" are Pending at first, because no node matches them
    And within 1 minute the Karpenter log shows a line with:
      | controller    | nodeclaim.lifecycle            |
      | message       | launched nodeclaim             |
      | nodepool      | default                        |
      | capacity-type | on-demand                      |
    And within 2 minutes all 7 pods of the deployment "stateful" are Running on a single node
    And that node is labelled "karpenter.sh/capacity-type" = "on-demand" and "intent" = "apps"
    And its instance type is the cheapest On-Demand type among those its NodeClaim allowed
    And the Spot nodes of the deployment "stateless" are still running
    When I run:
      """bash
      kubectl get nodes -L karpenter.sh/capacity-type,beta.kubernetes.io/instance-type,topology.kubernetes.io/zone -l karpenter.sh/capacity-type=on-demand
      """
    Then the output is a table with the columns "NAME STATUS ROLES AGE VERSION CAPACITY-TYPE INSTANCE-TYPE ZONE"
    And it lists 1 node, with CAPACITY-TYPE "on-demand"
    And the report shows the Karpenter nodes with their capacity type, instance type, zone and price
    And the report shows the nodes and pods over time, by capacity type
