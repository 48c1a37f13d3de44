name = Sections
[esp]
ip = 192.0.2.0/24
