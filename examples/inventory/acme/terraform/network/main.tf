# Acme production network: the live core VPC and the ML VPC being added.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.40" }
  }
}

resource "aws_vpc" "core" {
  cidr_block = "10.20.0.0/16"
  assign_generated_ipv6_cidr_block = true
  tags = { Name = "prod-core" }
}

resource "aws_vpc" "ml" {
  # cidr_block = "10.60.0.0/16"   (first proposal, clashed with Globex)
  cidr_block = "10.50.0.0/16"
  tags = { Name = "ml-platform" }
}

resource "aws_subnet" "ml_training" {
  vpc_id     = aws_vpc.ml.id
  cidr_block = "10.50.0.0/20"
  tags = { Name = "ml-training" }
}

resource "aws_subnet" "ml_serving" {
  count      = 3
  vpc_id     = aws_vpc.ml.id
  cidr_block = cidrsubnet(aws_vpc.ml.cidr_block, 4, count.index + 1)
}

resource "aws_subnet" "ml_batch" {
  vpc_id     = aws_vpc.ml.id
  cidr_block = "10.50.300.0/24"
}

resource "aws_security_group" "ml_ingress" {
  vpc_id = aws_vpc.ml.id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
