resource "kubectl_manifest" "cilium_network_policy_allow_ingress_controller_to_whoami_connect" {
  yaml_body = yamlencode({
    apiVersion = "cilium.io/v2"
    kind       = "CiliumNetworkPolicy"
    metadata = {
      name = "allow-ingress-controller-to-whoami-connect"
      labels = {
        "app.kubernetes.io/managed-by" = "nomad2k8s"
      }
      namespace = var.namespace
    }
    spec = {
      endpointSelector = {
        matchLabels = {
          app = "whoami-connect"
        }
      }
      ingress = [
        {
          fromEndpoints = [
            {
              matchLabels = {
                "app.kubernetes.io/name"          = "traefik"
                "k8s:io.kubernetes.pod.namespace" = "kube-system"
              }
            },
          ]
          toPorts = [
            {
              ports = [
                {
                  port     = "80"
                  protocol = "TCP"
                },
              ]
            },
          ]
        },
      ]
    }
  })
}
