name = Bad CIDR
ip = 192.0.2.0/24
ip = 192.0.2.7/24
