name = Empty DKIM
ip = 192.0.2.0/24
dkim =
