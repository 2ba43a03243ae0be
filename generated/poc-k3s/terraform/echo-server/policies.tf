resource "kubectl_manifest" "cilium_network_policy_allow_whoami_connect_to_echo_server" {
  yaml_body = yamlencode({
    apiVersion = "cilium.io/v2"
    kind       = "CiliumNetworkPolicy"
    metadata = {
      name = "allow-whoami-connect-to-echo-server"
      labels = {
        "app.kubernetes.io/managed-by" = "nomad2k8s"
      }
      namespace = var.namespace
    }
    spec = {
      endpointSelector = {
        matchLabels = {
          app = "echo-server"
        }
      }
      ingress = [
        {
          fromEndpoints = [
            {
              matchLabels = {
                app = "whoami-connect"
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
