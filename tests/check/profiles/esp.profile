# Customers include spf.sendco.example and delegate s1 with a CNAME.
name = SendCo
spf-include = spf.sendco.example
helo = mta.sendco.example
dkim = s1 {domain} s2048.dkim.sendco.example
