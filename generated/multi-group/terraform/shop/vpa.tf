resource "kubectl_manifest" "vertical_pod_autoscaler_shop_api_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "shop-api-vpa"
      labels = {
        app                            = "shop-api"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "shop-api"
        "app.kubernetes.io/part-of"    = "shop"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "api"
            maxAllowed = {
              cpu    = "1"
              memory = "1536Mi"
            }
            minAllowed = {
              cpu    = "125m"
              memory = "96Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "shop-api"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}

resource "kubectl_manifest" "vertical_pod_autoscaler_shop_web_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "shop-web-vpa"
      labels = {
        app                            = "shop-web"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "shop-web"
        "app.kubernetes.io/part-of"    = "shop"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "nginx"
            maxAllowed = {
              cpu    = "400m"
              memory = "256Mi"
            }
            minAllowed = {
              cpu    = "50m"
              memory = "16Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "shop-web"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
