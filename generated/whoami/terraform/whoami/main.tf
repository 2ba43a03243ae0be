resource "kubernetes_service_v1" "whoami" {
  metadata {
    name      = "whoami"
    namespace = var.namespace
    labels = {
      app                            = "whoami"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "whoami"
      "app.kubernetes.io/part-of"    = "whoami"
    }
  }
  spec {
    selector = {
      app = "whoami"
    }
    type = "ClusterIP"
    port {
      name        = "http"
      port        = 80
      protocol    = "TCP"
      target_port = "http"
    }
  }
}

resource "kubernetes_deployment_v1" "whoami" {
  metadata {
    name      = "whoami"
    namespace = var.namespace
    labels = {
      app                            = "whoami"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "whoami"
      "app.kubernetes.io/part-of"    = "whoami"
    }
  }
  spec {
    replicas = "1"
    selector {
      match_labels = {
        app = "whoami"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "whoami"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "whoami"
          "app.kubernetes.io/part-of"    = "whoami"
        }
      }
      spec {
        container {
          name  = "whoami"
          args  = ["--name", "whoami-nomad"]
          image = "traefik/whoami:v1.10.3"
          env {
            name  = "TZ"
            value = "Europe/London"
          }
          env {
            name  = "NOMAD_META_owner"
            value = "platform"
          }
          port {
            name           = "http"
            container_port = 80
            protocol       = "TCP"
          }
          resources {
            limits = {
              memory = "128Mi"
            }
            requests = {
              cpu    = "50m"
              memory = "64Mi"
            }
          }
        }
      }
    }
  }
}
