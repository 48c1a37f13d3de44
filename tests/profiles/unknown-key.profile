name = Typo ESP
ip = 192.0.2.0/24
# selector and domain
dkm = s1 {domain}
