# The service of the hostile-server test (tests/test-hostile.c): its names
# are answered by tests/hostile-dns.py in the way their "drip" or "silent"
# label says.
name        = HostileESP
spf-include = spf.drip.hostile.test
dkim        = s1 {domain} s1.dkim.silent.hostile.test
