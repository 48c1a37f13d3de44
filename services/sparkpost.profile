# SparkPost (Bird) with its default bounce domain sparkpostmail.com: SPF
# cannot align, DMARC passes through the DKIM key the customer publishes.
id       = sparkpost
name     = SparkPost
doc      = https://developers.sparkpost.com/api/sending-domains/
verified = 2026-11-29

param = dkim-selector | the DKIM selector SparkPost generated for the sending domain, e.g. scph0717
param-pattern = dkim-selector [a-z]*

spf-include = sparkpostmail.com
source = spf-include | UNCONFIRMED | _spf.sparkpostmail.com or sparkpostmail.com; third parties disagree

mail-from = sparkpostmail.com
source = mail-from | O | https://www.sparkpost.com/docs/tech-resources/custom-bounce-domain/ (2021-03-10)

dkim = {dkim-selector} {domain}
source = dkim | O | sending-domains API: a TXT with k=rsa, h=sha256 and p=, selector generated

unauthenticated-from = send-unaligned
source = unauthenticated-from | O | custom-bounce-domain page: the default Return-Path is sparkpostmail.com

# What the customer sets up at SparkPost when only SparkPost can fix it.
action-dkim = add {domain} as a sending domain in SparkPost and publish the DKIM TXT record it shows
source = action-dkim | O | https://developers.sparkpost.com/api/sending-domains/
action-return-path = add a custom bounce domain (a subdomain of {domain}) in SparkPost with a CNAME
action-return-path = to sparkpostmail.com (EU accounts: eu.sparkpostmail.com)
source = action-return-path | O | https://www.sparkpost.com/docs/tech-resources/custom-bounce-domain/
