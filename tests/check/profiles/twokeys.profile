# Signs with two selectors, both delegated with a CNAME.
name = SendCo
spf-include = spf.sendco.example
helo = mta.sendco.example
dkim = s1 {domain} s2048.dkim.sendco.example
dkim = s2 {domain} ed.dkim.sendco.example
