resource "kubectl_manifest" "external_secret_shop_api_secrets" {
  yaml_body = yamlencode({
    apiVersion = "external-secrets.io/v1"
    kind       = "ExternalSecret"
    metadata = {
      name = "shop-api-secrets"
      labels = {
        app                            = "shop-api"
        "app.kubernetes.io/managed-by" = "nomad2k8s"
        "app.kubernetes.io/name"       = "shop-api"
        "app.kubernetes.io/part-of"    = "shop"
      }
      namespace = var.namespace
    }
    spec = {
      data = [
        {
          remoteRef = {
            key      = "default/shop"
            property = "DATABASE_URL"
          }
          secretKey = "DATABASE_URL"
        },
        {
          remoteRef = {
            key      = "default/shop"
            property = "STRIPE_API_KEY"
          }
          secretKey = "STRIPE_API_KEY"
        },
      ]
      refreshInterval = "1h"
      secretStoreRef = {
        name = "vault"
        kind = "ClusterSecretStore"
      }
      target = {
        name           = "shop-api-secrets"
        creationPolicy = "Owner"
      }
    }
  })
}
