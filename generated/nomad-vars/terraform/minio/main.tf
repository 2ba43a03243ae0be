resource "kubernetes_config_map_v1" "minio_config" {
  metadata {
    name      = "minio-config"
    namespace = var.namespace
    labels = {
      app                            = "minio"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "minio"
      "app.kubernetes.io/part-of"    = "minio"
    }
  }
  data = {
    "buckets.txt" = <<-EOT
      # Buckets to create; {{ braces }} are plain text here.
      [[ range nomadVarList "nomad/jobs/minio/buckets" ]][[ .Path ]]
      [[ end ]]
    EOT
  }
}

resource "kubernetes_deployment_v1" "minio" {
  metadata {
    name      = "minio"
    namespace = var.namespace
    labels = {
      app                            = "minio"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "minio"
      "app.kubernetes.io/part-of"    = "minio"
    }
  }
  spec {
    replicas = "1"
    selector {
      match_labels = {
        app = "minio"
      }
    }
    template {
      metadata {
        annotations = {
          "checksum/config" = "d8695c6480b87f8479c0c6918ea9709e7d14c2d38661c0ead26a4235a9144a71"
        }
        labels = {
          app                            = "minio"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "minio"
          "app.kubernetes.io/part-of"    = "minio"
        }
      }
      spec {
        container {
          name  = "minio"
          args  = ["server", "/data"]
          image = "quay.io/minio/minio:RELEASE.2024-10-02T17-50-41Z"
          env {
            name = "MINIO_ROOT_USER"
            value_from {
              secret_key_ref {
                name = "minio-secrets"
                key  = "root_user"
              }
            }
          }
          env {
            name = "MINIO_ROOT_PASSWORD"
            value_from {
              secret_key_ref {
                name = "minio-secrets"
                key  = "root_password"
              }
            }
          }
          port {
            name           = "api"
            container_port = 9000
            protocol       = "TCP"
          }
          resources {
            limits = {
              memory = "512Mi"
            }
            requests = {
              cpu    = "300m"
              memory = "512Mi"
            }
          }
          volume_mount {
            name       = "nomad-templates"
            mount_path = "/local/buckets.txt"
            read_only  = true
            sub_path   = "buckets.txt"
          }
        }
        volume {
          name = "nomad-templates"
          config_map {
            name = "minio-config"
            items {
              key  = "buckets.txt"
              path = "buckets.txt"
            }
          }
        }
      }
    }
  }
}
