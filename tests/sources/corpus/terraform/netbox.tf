resource "netbox_vrf" "prod" {
  name = "prod"
}

resource "netbox_prefix" "dc1" {
  prefix      = "10.140.0.0/16"
  status      = "container"
  description = "DC1 aggregate"
}

resource "netbox_prefix" "dc1_servers" {
  prefix      = "10.140.10.0/24"
  status      = "active"
  description = "DC1 servers"
}

resource "netbox_prefix" "prod_vrf" {
  prefix = "10.140.10.0/24"
  status = "active"
  vrf_id = netbox_vrf.prod.id
}
