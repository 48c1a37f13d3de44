# A platform's own SMTP server, as iMIS standard email: the platform tells
# the customer the public IP address of its SMTP server to add to SPF,
# and staff may type almost any From address.  Copy this file for any
# platform that sends from its own server.
id       = imis
name     = iMIS standard email (platform SMTP server)
doc      = https://help.imis.com/enterprise/features/marketing/communications/maximizing_deliverability.htm
verified = 2026-11-29

param = smtp-ip | the public IP address of the platform's SMTP server (from ASI Hosting for iMIS)

ip = {smtp-ip}
source = ip | O | https://help.imis.com/enterprise/features/marketing/communications/checking_authentication_for_spf_records.htm

mail-from = {domain}
source = mail-from | UNCONFIRMED | ASI asks for the IP in the From domain's SPF, which implies the From domain is the envelope

send-as = any
source = send-as | O | https://help.imis.com/enterprise/features/marketing/communications/understanding_from_addresses_and_email_authentication.htm
