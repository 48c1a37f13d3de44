name = Bücher-Versand
ip = 198.51.100.7
helo = mx.bücher.example
allowed-from = bücher.example
allowed-from = news@BÜCHER.example, *.bücher.example
