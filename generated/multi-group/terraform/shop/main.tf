resource "kubernetes_service_v1" "shop_api" {
  metadata {
    name      = "shop-api"
    namespace = var.namespace
    labels = {
      app                            = "shop-api"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "shop-api"
      "app.kubernetes.io/part-of"    = "shop"
    }
  }
  spec {
    selector = {
      app = "shop-api"
    }
    type = "ClusterIP"
    port {
      name        = "api"
      port        = 8080
      protocol    = "TCP"
      target_port = "api"
    }
  }
}

resource "kubernetes_service_v1" "shop_web" {
  metadata {
    name      = "shop-web"
    namespace = var.namespace
    labels = {
      app                            = "shop-web"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "shop-web"
      "app.kubernetes.io/part-of"    = "shop"
    }
  }
  spec {
    selector = {
      app = "shop-web"
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

resource "kubernetes_deployment_v1" "shop_api" {
  metadata {
    name      = "shop-api"
    namespace = var.namespace
    labels = {
      app                            = "shop-api"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "shop-api"
      "app.kubernetes.io/part-of"    = "shop"
    }
  }
  spec {
    replicas = "2"
    selector {
      match_labels = {
        app = "shop-api"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "shop-api"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "shop-api"
          "app.kubernetes.io/part-of"    = "shop"
        }
      }
      spec {
        container {
          name  = "api"
          args  = ["serve", "--listen", ":8080"]
          image = "ghcr.io/brmartin/shop-api:2.4.1"
          env {
            name  = "APP_ENV"
            value = "production"
          }
          env {
            name  = "LOG_FORMAT"
            value = "json"
          }
          env {
            name  = "LOG_LEVEL"
            value = "info"
          }
          env {
            name  = "CACHE_TTL"
            value = "300"
          }
          env {
            name  = "PUBLIC_URL"
            value = "https://shop.brmartin.co.uk"
          }
          env {
            name  = "TZ"
            value = "Europe/London"
          }
          port {
            name           = "api"
            container_port = 8080
            protocol       = "TCP"
          }
          resources {
            limits = {
              memory = "384Mi"
            }
            requests = {
              cpu    = "250m"
              memory = "192Mi"
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_deployment_v1" "shop_web" {
  metadata {
    name      = "shop-web"
    namespace = var.namespace
    labels = {
      app                            = "shop-web"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "shop-web"
      "app.kubernetes.io/part-of"    = "shop"
    }
  }
  spec {
    replicas = "3"
    selector {
      match_labels = {
        app = "shop-web"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "shop-web"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "shop-web"
          "app.kubernetes.io/part-of"    = "shop"
        }
      }
      spec {
        container {
          name  = "nginx"
          image = "nginx:1.25.4-alpine"
          port {
            name           = "http"
            container_port = 80
            protocol       = "TCP"
          }
          resources {
            limits = {
              memory = "64Mi"
            }
            requests = {
              cpu    = "100m"
              memory = "32Mi"
            }
          }
        }
      }
    }
  }
}
