resource "kubectl_manifest" "vertical_pod_autoscaler_shop_api_api_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "shop-api-api-vpa"
      annotations = {
        "example.com/migrated-from" = "nomad"
      }
      labels = {
        app                            = "shop-api-api"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "shop-api-api"
        "app.kubernetes.io/part-of"    = "shop-api"
        "example.com/team"             = "platform"
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
              memory = "1Gi"
            }
            minAllowed = {
              cpu    = "125m"
              memory = "128Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "shop-api-api"
        apiVersion = "apps/v1"
        kind       = "StatefulSet"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}

resource "kubectl_manifest" "vertical_pod_autoscaler_shop_api_worker_vpa" {
  yaml_body = yamlencode({
    apiVersion = "autoscaling.k8s.io/v1"
    kind       = "VerticalPodAutoscaler"
    metadata = {
      name = "shop-api-worker-vpa"
      annotations = {
        "example.com/migrated-from" = "nomad"
      }
      labels = {
        app                            = "shop-api-worker"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "shop-api-worker"
        "app.kubernetes.io/part-of"    = "shop-api"
        "example.com/team"             = "platform"
      }
      namespace = "retail-workers"
    }
    spec = {
      resourcePolicy = {
        containerPolicies = [
          {
            containerName = "worker"
            maxAllowed = {
              cpu    = "800m"
              memory = "2Gi"
            }
            minAllowed = {
              cpu    = "50m"
              memory = "64Mi"
            }
          },
        ]
      }
      targetRef = {
        name       = "shop-api-worker"
        apiVersion = "apps/v1"
        kind       = "Deployment"
      }
      updatePolicy = {
        updateMode = "Off"
      }
    }
  })
}
