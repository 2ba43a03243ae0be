resource "kubectl_manifest" "vertical_pod_autoscaler_storefront_api_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "storefront-api-vpa"
      labels = {
        app                            = "storefront-api"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "storefront-api"
        "app.kubernetes.io/part-of"    = "storefront"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "api"
            maxAllowed = {
              cpu    = "2"
              memory = "4Gi"
            }
            minAllowed = {
              cpu    = "250m"
              memory = "256Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "storefront-api"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}

resource "kubectl_manifest" "vertical_pod_autoscaler_storefront_web_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "storefront-web-vpa"
      labels = {
        app                            = "storefront-web"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "storefront-web"
        "app.kubernetes.io/part-of"    = "storefront"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "web"
            maxAllowed = {
              cpu    = "1"
              memory = "512Mi"
            }
            minAllowed = {
              cpu    = "125m"
              memory = "64Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "storefront-web"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}

resource "kubectl_manifest" "vertical_pod_autoscaler_storefront_worker_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "storefront-worker-vpa"
      labels = {
        app                            = "storefront-worker"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "storefront-worker"
        "app.kubernetes.io/part-of"    = "storefront"
      }
      namespace = var.namespace
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "worker"
            maxAllowed = {
              cpu    = "1"
              memory = "2Gi"
            }
            minAllowed = {
              cpu    = "100m"
              memory = "128Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "storefront-worker"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
