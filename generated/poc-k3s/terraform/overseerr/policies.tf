resource "kubectl_manifest" "cilium_network_policy_allow_ingress_controller_to_overseerr" {
  yaml_body = yamlencode({
    apiVersion = "cilium.io/v2"
    kind       = "CiliumNetworkPolicy"
    metadata = {
      name = "allow-ingress-controller-to-overseerr"
      labels = {
        "app.kubernetes.io/managed-by" = "nomad2k8s"
      }
      namespace = var.namespace
    }
    spec = {
      endpointSelector = {
        matchLabels = {
          app = "overseerr"
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
                  port     = "5055"
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
