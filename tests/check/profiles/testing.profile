# The service's key has t=y.
name = SendCo
spf-include = spf.sendco.example
helo = mta.sendco.example
dkim = s1 {domain} testing.dkim.sendco.example
