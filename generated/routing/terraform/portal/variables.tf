variable "namespace" {
  description = "Kubernetes namespace of every object in this module"
  type        = string
  default     = "default"
}

variable "hostname" {
  description = "External hostname served by the Ingress"
  type        = string
  default     = "admin.example.org"
}

variable "hostname_2" {
  description = "External hostname served by the Ingress"
  type        = string
  default     = "portal.example.org"
}

variable "hostname_3" {
  description = "External hostname served by the Ingress"
  type        = string
  default     = "www.example.org"
}
