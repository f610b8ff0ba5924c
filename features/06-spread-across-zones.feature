@spread-across-zones @tutorial=step-5-spread-pods-within-multiple-azs
Feature: Step 5: Spread pods within multiple AZs
  One node for all pods puts every egg in one basket. A topology spread constraint on the zone
  (maxSkew 1, at least 2 domains, DoNotSchedule) makes Karpenter place the same ten pods over the
  three availability zones of the cluster's subnets, one node per zone.

  As in Step 4, the requests per zone in the tutorial's sample (4, 3 and 3 pods plus the
  DaemonSets') hold their numbers only with the add-ons of January 2024: every run asserts the
  rule (each NodeClaim's share of the pods, spread with a skew of at most 1, plus the same
  DaemonSets), the report shows the tutorial's numbers beside the run's, and the numbers are
  asserted only on the tutorial's own platform (as written, as of 2024-01-29).

  Background:
    Given the tutorial has been followed up to this section

  Scenario: Removing the workload lets consolidation remove its node
    When I run:
      """bash
      kubectl delete deployment stateless
      """
    Then the output is 'deployment.apps "stateless" deleted'
    And within 2 minutes no node that Karpenter launched for the deployment "stateless" remains
    And the Karpenter log shows the "disruption" controller deleting them by consolidation

  Scenario: Ten pods spread over three zones, on three Spot nodes
    When I add the tutorial's topology spread constraint to "workload.yaml", between the nodeSelector and the containers:
      """bash
            topologySpreadConstraints:
              - labelSelector:
                  matchLabels:
                    app: stateless
                maxSkew: 1
                minDomains: 2
                topologyKey: topology.kubernetes.io/zone
                whenUnsatisfiable: DoNotSchedule
      """
    And I run:
      """bash
      kubectl apply -f workload.yaml
      """
    Then the output is "deployment.apps/stateless created"
    And within 1 minute the Karpenter log shows a line with:
      | controller | provisioner                             |
      | message    | computed new nodeclaim(s) to fit pod(s) |
      | nodeclaims | 3                                       |
      | pods       | 10                                      |
    And the Karpenter log shows 3 "created nodeclaim" lines, each for its share of the 10 pods plus the DaemonSets', which the tutorial's sample output shows as:
      | cpu   | memory | pods |
      | 2258m | 2288Mi | 8    |
      | 1746m | 1776Mi | 7    |
      | 1746m | 1776Mi | 7    |
    And within 2 minutes all 10 pods of the deployment "stateless" are Running
    And they run on 3 nodes in 3 different zones, 4, 3 and 3 pods per zone
    When I run:
      """bash
      kubectl get nodes -L karpenter.sh/capacity-type,beta.kubernetes.io/instance-type,topology.kubernetes.io/zone -l karpenter.sh/capacity-type=spot
      """
    Then the output is a table with the columns "NAME STATUS ROLES AGE VERSION CAPACITY-TYPE INSTANCE-TYPE ZONE"
    And it lists 3 nodes, each with CAPACITY-TYPE "spot", in 3 different ZONEs
    And every INSTANCE-TYPE it lists is one the NodePool "default" allows
    And the report shows the zone spread of the deployment "stateless"
    And the report shows the nodes and pods over time, by capacity type
