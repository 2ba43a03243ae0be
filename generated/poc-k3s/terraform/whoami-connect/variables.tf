variable "namespace" {
  description = "Kubernetes namespace of every object in this module"
  type        = string
  default     = "default"
}

variable "hostname" {
  description = "External hostname served by the Ingress"
  type        = string
  default     = "whoami-connect.brmartin.co.uk"
}
