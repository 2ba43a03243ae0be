output "namespace" {
  description = "Namespace the objects are deployed to"
  value       = var.namespace
}
