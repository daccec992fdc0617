variable "region" {
  type    = string
  default = "europe-west1"
}

variable "vpc_cidr" {
  description = "Primary block of the shared VPC"
  type        = string
  default     = "10.110.0.0/16"
}

variable "db_subnets" {
  type    = list(string)
  default = ["10.110.20.0/24", "10.110.21.0/24"]
}
