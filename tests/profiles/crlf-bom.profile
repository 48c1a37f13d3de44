name = Windows
ip = 203.0.113.0/24
