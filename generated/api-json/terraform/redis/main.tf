resource "kubernetes_service_v1" "redis" {
  metadata {
    name      = "redis"
    namespace = var.namespace
    labels = {
      app                            = "redis"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "redis"
      "app.kubernetes.io/part-of"    = "redis"
    }
  }
  spec {
    selector = {
      app = "redis"
    }
    type = "ClusterIP"
    port {
      name        = "db"
      port        = 6379
      protocol    = "TCP"
      target_port = "db"
    }
  }
}

resource "kubernetes_deployment_v1" "redis" {
  metadata {
    name      = "redis"
    namespace = var.namespace
    labels = {
      app                            = "redis"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "redis"
      "app.kubernetes.io/part-of"    = "redis"
    }
  }
  spec {
    replicas = "1"
    selector {
      match_labels = {
        app = "redis"
      }
    }
    template {
      metadata {
        labels = {
          app                            = "redis"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "redis"
          "app.kubernetes.io/part-of"    = "redis"
        }
      }
      spec {
        container {
          name  = "redis"
          args  = ["redis-server", "--save", "", "--appendonly", "no", "--maxmemory", "200mb", "--maxmemory-policy", "allkeys-lru"]
          image = "redis:7.2.4-alpine"
          env {
            name  = "TZ"
            value = "Europe/London"
          }
          env {
            name  = "REDIS_REPLICATION_MODE"
            value = "master"
          }
          env {
            name  = "NOMAD_META_owner"
            value = "platform"
          }
          port {
            name           = "db"
            container_port = 6379
            protocol       = "TCP"
          }
          resources {
            limits = {
              memory = "512Mi"
            }
            requests = {
              cpu    = "250m"
              memory = "256Mi"
            }
          }
        }
      }
    }
  }
}
