# A service whose spf-include lists more ranges than are sampled.
name = SendCo wide
spf-include = wide.sendco.example
helo = mta.sendco.example
dkim = s1 {domain} s2048.dkim.sendco.example
