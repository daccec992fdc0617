param location string = resourceGroup().location
param vnetPrefix string = '10.70.0.0/16'
var appSubnet = '10.70.1.0/24'

// resource old 'Microsoft.Network/virtualNetworks@2020-01-01' = { }
resource vnet 'Microsoft.Network/virtualNetworks@2023-04-01' = {
  name: 'vnet-app'
  location: location
  properties: {
    addressSpace: {
      addressPrefixes: [
        vnetPrefix
        'fd00:70::/48'
      ]
    }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: appSubnet
        }
      }
      {
        name: 'data'
        properties: {
          addressPrefix: cidrSubnet(vnetPrefix, 24, 2)
        }
      }
    ]
  }
  resource inner 'subnets' = {
    name: 'inner'
    properties: { addressPrefix: '10.70.9.0/24' }
  }
}

resource extra 'Microsoft.Network/virtualNetworks/subnets@2023-04-01' = {
  parent: vnet
  name: 'extra'
  properties: {
    addressPrefix: '10.70.3.0/24'
  }
}
