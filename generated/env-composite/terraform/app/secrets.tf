resource "kubectl_manifest" "external_secret_app_secrets" {
  yaml_body = yamlencode({
    apiVersion = "external-secrets.io/v1"
    kind       = "ExternalSecret"
    metadata = {
      name = "app-secrets"
      labels = {
        app                            = "app"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "app"
        "app.kubernetes.io/part-of"    = "app"
      }
      namespace = var.namespace
    }
    spec = {
      data = [
        {
          remoteRef = {
            key      = "default/app"
            property = "DB_PASSWORD"
          }
          secretKey = "DB_PASSWORD"
        },
        {
          remoteRef = {
            key      = "default/app"
            property = "API_TOKEN"
          }
          secretKey = "API_TOKEN"
        },
        {
          remoteRef = {
            key      = "default/app"
            property = "WEBHOOK_SECRET"
          }
          secretKey = "WEBHOOK_SECRET"
        },
      ]
      refreshInterval = "1h"
      secretStoreRef = {
        name = "vault"
        kind = "ClusterSecretStore"
      }
      target = {
        name           = "app-secrets"
        creationPolicy = "Owner"
        template = {
          data = {
            "config.yml" = <<-EOT
              database:
                host: db.service.consul
                user: app
                password: {{ .DB_PASSWORD }}
              api:
                token: {{ .API_TOKEN }}
            EOT
          }
          engineVersion = "v2"
          mergePolicy   = "Merge"
        }
      }
    }
  })
}
