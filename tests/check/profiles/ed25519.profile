# The service signs with ed25519.
name = SendCo
spf-include = spf.sendco.example
helo = mta.sendco.example
dkim = s1 {domain} ed.dkim.sendco.example
