# This account may only send as allowed.example.
name = SendCo
spf-include = spf.sendco.example
helo = mta.sendco.example
dkim = s1 {domain} s2048.dkim.sendco.example
allowed-from = allowed.example, *.allowed.example
