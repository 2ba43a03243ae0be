resource "kubectl_manifest" "vertical_pod_autoscaler_vpn_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "vpn-vpa"
      labels = {
        app                            = "vpn"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "vpn"
        "app.kubernetes.io/part-of"    = "vpn"
        tier                           = "edge"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "wireguard"
            maxAllowed = {
              cpu    = "800m"
              memory = "1Gi"
            }
            minAllowed = {
              cpu    = "100m"
              memory = "64Mi"
            }
          },
          {
            containerName = "ui"
            maxAllowed = {
              cpu    = "400m"
              memory = "256Mi"
            }
            minAllowed = {
              cpu    = "50m"
              memory = "32Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "vpn"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
