locals {
  gke_primary = "10.120.0.0/20"
  subnets = {
    app = "10.110.1.0/24"
    web = "10.110.2.0/24"
  }
}

# A local copy of the VPC module, and a pinned git source.
module "vpc" {
  source = "../../modules/vpc"

  name = "shared"
  cidr = var.vpc_cidr

  private_subnets  = [local.subnets.app, local.subnets["web"], cidrsubnet(var.vpc_cidr, 8, 10)]
  public_subnets   = ["10.110.101.0/24", "10.110.102.0/24"]
  database_subnets = var.db_subnets
}

module "vpc_git" {
  source = "git::https://github.com/terraform-aws-modules/terraform-aws-vpc.git?ref=v5.8.1"

  name = "edge"
  cidr = "10.111.0.0/16"

  private_subnets = ["10.111.1.0/24"]
}

module "gke_network" {
  source  = "github.com/terraform-google-modules/terraform-google-network//modules/vpc?ref=v9.1.0"

  project_id   = "example-project"
  network_name = "gke"

  subnets = [
    {
      subnet_name   = "gke-primary"
      subnet_ip     = local.gke_primary
      subnet_region = var.region
    },
    {
      subnet_name   = "gke-batch"
      subnet_ip     = "10.120.16.0/20"
      subnet_region = var.region
    },
  ]

  secondary_ranges = {
    gke-primary = [
      {
        range_name    = "pods"
        ip_cidr_range = "10.124.0.0/14"
      },
      {
        range_name    = "services"
        ip_cidr_range = "10.128.0.0/20"
      },
    ]
  }
}

resource "aws_subnet" "extra" {
  count      = 2
  vpc_id     = module.vpc.vpc_id
  cidr_block = cidrsubnet(var.vpc_cidr, 8, count.index + 50)
}
