name = First
ip = 192.0.2.0/24
helo = a.esp.example
helo = b.esp.example
