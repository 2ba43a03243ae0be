resource "kubectl_manifest" "external_secret_ledgerapp_secrets" {
  yaml_body = yamlencode({
    apiVersion = "external-secrets.io/v1"
    kind       = "ExternalSecret"
    metadata = {
      name = "ledgerapp-secrets"
      labels = {
        app                            = "ledgerapp"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "ledgerapp"
        "app.kubernetes.io/part-of"    = "ledgerapp"
      }
      namespace = var.namespace
    }
    spec = {
      data = [
        {
          remoteRef = {
            key      = "default/ledgerapp"
            property = "CACHE_URL_PASSWORD"
          }
          secretKey = "CACHE_URL_PASSWORD"
        },
        {
          remoteRef = {
            key      = "ledgerapp"
            property = "db_password"
          }
          secretKey = "db_password"
        },
        {
          remoteRef = {
            key      = "default/ledgerapp"
            property = "DATABASE_URL_PASSWORD"
          }
          secretKey = "DATABASE_URL_PASSWORD"
        },
        {
          remoteRef = {
            key      = "default/ledgerapp"
            property = "DB_CONNECTION_PASSWORD"
          }
          secretKey = "DB_CONNECTION_PASSWORD"
        },
      ]
      refreshInterval = "1h"
      secretStoreRef = {
        name = "vault"
        kind = "ClusterSecretStore"
      }
      target = {
        name           = "ledgerapp-secrets"
        creationPolicy = "Owner"
        template = {
          data = {
            "app.ini" = <<-EOT
              [db]
              password = {{ .db_password }}
              alloc = {{ "{{" }} env "NOMAD_ALLOC_ID" {{ "}}" }}
              feature = {{ "{{" }} key "ledgerapp/feature" {{ "}}" }}
            EOT
          }
          engineVersion = "v2"
          mergePolicy   = "Merge"
        }
      }
    }
  })
}
