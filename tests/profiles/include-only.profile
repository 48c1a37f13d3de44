; Only an spf-include: the ranges come from its SPF record.
spf-include = _spf.esp.example
dkim = esp esp.example
