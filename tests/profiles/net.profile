# The service of the network test (tests/test-net.c, tests/zones/net.zone).
name        = NetESP
spf-include = spf.esp.net.test
dkim        = s1 {domain} s1.dkim.esp.net.test
