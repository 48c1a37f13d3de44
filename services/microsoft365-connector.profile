# Microsoft 365 / Exchange Online SMTP relay: a device or application hands
# mail to the tenant's endpoint through a connector (by IP or certificate)
# without signing in to a mailbox.
id       = microsoft365-connector
name     = Microsoft 365 (connector relay)
doc      = https://learn.microsoft.com/troubleshoot/exchange/email-delivery/fix-issues-with-printers-scanners-and-lob-applications-that-send-email-using-off
verified = 2026-11-29

param = tenant-host | Selector1CNAME after "._domainkey." (Get-DkimSigningConfig)
param-pattern = tenant-host *.onmicrosoft.com, *.dkim.mail.microsoft

spf-include = spf.protection.outlook.com
source = spf-include | O | https://learn.microsoft.com/defender-office-365/email-authentication-spf-configure

mail-from = {domain}
source = mail-from | UNCONFIRMED | assumed: the envelope stays the device's From domain; no source states it

dkim = selector1 {domain} selector1-{domain-dashes}._domainkey.{tenant-host}
dkim = selector2 {domain} selector2-{domain-dashes}._domainkey.{tenant-host}
source = dkim | O | https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure

send-as = verified-domain
source = send-as | UNCONFIRMED | assumed: the tenant's accepted domains; no source found says which From a connector takes
send-as-grant = an Exchange administrator adds the domain of {from} as an accepted domain of the tenant
source = send-as-grant | UNCONFIRMED | follows from the send-as assumption

unauthenticated-from = send-unaligned
source = unauthenticated-from | O | dkim-configure page: custom domains are not DKIM-signed until DKIM is configured

# What the customer sets up at Microsoft 365 when only it can fix it.
action-dkim = publish the two CNAMEs that Get-DkimSigningConfig -Identity {domain} shows
action-dkim = (Selector1CNAME, Selector2CNAME), then turn on DKIM signing for {domain}
action-dkim = in the Microsoft Defender portal or with Set-DkimSigningConfig -Identity {domain} -Enabled $true
source = action-dkim | O | https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure
