resource "kubectl_manifest" "cilium_network_policy_default_deny" {
  yaml_body = yamlencode({
    apiVersion = "cilium.io/v2"
    kind       = "CiliumNetworkPolicy"
    metadata = {
      name = "default-deny"
      labels = {
        "app.kubernetes.io/managed-by" = "nomad2k8s"
      }
      namespace = var.namespace
    }
    spec = {
      enableDefaultDeny = {
        egress  = false
        ingress = true
      }
      endpointSelector = {}
      ingress = [
        {
          fromEntities = ["health"]
        },
      ]
    }
  })
}
