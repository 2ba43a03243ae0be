resource "kubernetes_service_v1" "redis" {
  metadata {
    name      = "redis"
    namespace = var.namespace
    annotations = {
      "nomad2k8s.io/consul-tags" = "cache,db"
    }
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
    min_ready_seconds         = 10
    progress_deadline_seconds = 600
    replicas                  = "1"
    selector {
      match_labels = {
        app = "redis"
      }
    }
    strategy {
      type = "RollingUpdate"
      rolling_update {
        max_surge       = "1"
        max_unavailable = "0"
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
        node_selector = {
          "kubernetes.io/os" = "linux"
        }
        termination_grace_period_seconds = 20
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
          readiness_probe {
            period_seconds  = 10
            timeout_seconds = 2
            tcp_socket {
              port = "db"
            }
          }
          resources {
            limits = {
              memory = "512Mi"
            }
            requests = {
              cpu               = "250m"
              ephemeral-storage = "300Mi"
              memory            = "256Mi"
            }
          }
          volume_mount {
            name       = "nomad-alloc"
            mount_path = "/alloc"
          }
        }
        volume {
          name = "nomad-alloc"
          empty_dir {
            size_limit = "300Mi"
          }
        }
      }
    }
  }
}
