resource "kubernetes_persistent_volume_claim_v1" "appdata" {
  metadata {
    name      = "appdata"
    namespace = var.namespace
    labels = {
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/part-of"    = "restic-backup"
    }
  }
  spec {
    access_modes = ["ReadWriteOnce"]
    resources {
      requests = {
        storage = "1Gi"
      }
    }
  }
}

resource "kubernetes_cron_job_v1" "restic_backup" {
  metadata {
    name      = "restic-backup"
    namespace = var.namespace
    labels = {
      app                            = "restic-backup"
      "app.kubernetes.io/managed-by" = "nomad2k8s"
      "app.kubernetes.io/name"       = "restic-backup"
      "app.kubernetes.io/part-of"    = "restic-backup"
    }
  }
  spec {
    concurrency_policy = "Forbid"
    schedule           = "0 3 * * *"
    timezone           = "Europe/London"
    job_template {
      metadata {
        labels = {
          app                            = "restic-backup"
          "app.kubernetes.io/managed-by" = "nomad2k8s"
          "app.kubernetes.io/name"       = "restic-backup"
          "app.kubernetes.io/part-of"    = "restic-backup"
        }
      }
      spec {
        backoff_limit = 2
        completions   = 1
        parallelism   = 1
        template {
          metadata {
            labels = {
              app                            = "restic-backup"
              "app.kubernetes.io/managed-by" = "nomad2k8s"
              "app.kubernetes.io/name"       = "restic-backup"
              "app.kubernetes.io/part-of"    = "restic-backup"
            }
          }
          spec {
            hostname = "hestia"
            node_selector = {
              "kubernetes.io/hostname" = "hestia"
            }
            restart_policy                   = "OnFailure"
            termination_grace_period_seconds = 120
            container {
              name  = "restic"
              args  = ["/bin/sh", "-c", "restic snapshots >/dev/null 2>&1 || restic init; restic backup --tag nightly --exclude-caches /data && restic forget --keep-daily 7 --keep-weekly 4 --keep-monthly 6 --prune"]
              image = "restic/restic:0.16.4"
              env {
                name  = "RESTIC_REPOSITORY"
                value = "s3:http://minio-minio.service.consul:9000/restic-hestia"
              }
              env {
                name  = "RESTIC_CACHE_DIR"
                value = "/alloc/data/restic-cache"
              }
              env {
                name  = "RESTIC_COMPRESSION"
                value = "max"
              }
              env {
                name  = "TZ"
                value = "Europe/London"
              }
              env {
                name = "RESTIC_PASSWORD"
                value_from {
                  secret_key_ref {
                    name = "restic-backup-secrets"
                    key  = "RESTIC_PASSWORD"
                  }
                }
              }
              env {
                name = "AWS_ACCESS_KEY_ID"
                value_from {
                  secret_key_ref {
                    name = "restic-backup-secrets"
                    key  = "MINIO_ACCESS_KEY"
                  }
                }
              }
              env {
                name = "AWS_SECRET_ACCESS_KEY"
                value_from {
                  secret_key_ref {
                    name = "restic-backup-secrets"
                    key  = "MINIO_SECRET_KEY"
                  }
                }
              }
              resources {
                limits = {
                  memory = "1024Mi"
                }
                requests = {
                  cpu    = "500m"
                  memory = "256Mi"
                }
              }
              volume_mount {
                name       = "appdata"
                mount_path = "/data"
                read_only  = true
              }
            }
            volume {
              name = "appdata"
              persistent_volume_claim {
                claim_name = "appdata"
                read_only  = true
              }
            }
          }
        }
      }
    }
  }
}
