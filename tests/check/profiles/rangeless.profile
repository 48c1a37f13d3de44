# A service whose SPF include names no address it sends from.
name = SendCo without ranges
spf-include = empty.sendco.example
helo = mta.sendco.example
dkim = s1 {domain} s2048.dkim.sendco.example
