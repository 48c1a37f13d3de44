# A service whose spf-include cannot be resolved: the scenario times it
# out or makes it a CNAME loop (a server failure).
name = SendCo
spf-include = tempspf.sendco.example
helo = mta.sendco.example
dkim = s1 {domain} s2048.dkim.sendco.example
