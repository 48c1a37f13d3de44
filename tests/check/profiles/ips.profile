# Ranges listed in the profile, no include; the key is pasted as TXT.
name = SendCo (ranges)
ip = 192.0.2.0/25
ip = 2001:db8:5e::/48
helo = mta.sendco.example
dkim = s1 {domain}
