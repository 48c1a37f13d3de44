# The service's key is 1024-bit RSA.
name = SendCo
spf-include = spf.sendco.example
helo = mta.sendco.example
dkim = s1 {domain} s1024.dkim.sendco.example
