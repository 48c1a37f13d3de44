# The service's key record is revoked (its own mistake).
name = SendCo
spf-include = spf.sendco.example
helo = mta.sendco.example
dkim = s1 {domain} revoked.dkim.sendco.example
