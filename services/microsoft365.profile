# Microsoft 365 / Exchange Online, a device or application signing in to a
# mailbox (SMTP AUTH submission to smtp.office365.com, port 587).  Exchange
# Online sends only as the signed-in mailbox or an address it may send as.
id       = microsoft365
name     = Microsoft 365 (mailbox submission)
doc      = https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure
verified = 2026-11-29

param = login | the mailbox the device or application signs in as (user@yourdomain)
param = granted | addresses the login mailbox has Send As permission for, comma-separated
param = tenant-host | Selector1CNAME after "._domainkey." (Get-DkimSigningConfig)
param-pattern = tenant-host *.onmicrosoft.com, *.dkim.mail.microsoft

spf-include = spf.protection.outlook.com
source = spf-include | O | https://learn.microsoft.com/defender-office-365/email-authentication-spf-configure
source = spf-include | O | worldwide and GCC; GCC High/DoD and 21Vianet use other includes (same page)

# No mail-from line: the envelope is the mailbox's own address.
mail-from = {domain}
source = mail-from | UNCONFIRMED | implied by Microsoft's DMARC page (SPF on the custom domain aligns); no sentence states it

# <tenant>.onmicrosoft.com (domains added before May 2025) or
# <tenant>.<c>-v1.dkim.mail.microsoft (<c> assigned by Microsoft).
dkim = selector1 {domain} selector1-{domain-dashes}._domainkey.{tenant-host}
dkim = selector2 {domain} selector2-{domain-dashes}._domainkey.{tenant-host}
source = dkim | O | https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure
source = dkim | O | ms.date 05/22/2026: both target forms, selector1 and selector2 as CNAMEs

send-as = mailbox-permission
source = send-as | O | https://github.com/microsoftgraph/microsoft-graph-docs-contrib/blob/main/concepts/outlook-send-mail-from-other-user.md
source = send-as | O | Send As applies to mailboxes, shared mailboxes, groups and lists; only admins grant it
send-as-error = 5.7.60 SMTP; Client does not have permissions to send as this sender
source = send-as-error | O | https://learn.microsoft.com/troubleshoot/exchange/email-delivery/fix-issues-with-printers-scanners-and-lob-applications-that-send-email-using-off
send-as-grant = an Exchange administrator gives {login} Send As permission on {from}
send-as-grant = (Add-RecipientPermission -Identity {from} -Trustee {login} -AccessRights SendAs),
send-as-grant = or the device signs in as {from} itself, or it sends through a connector (SMTP relay) instead
source = send-as-grant | O | https://learn.microsoft.com/powershell/module/exchangepowershell/get-exorecipientpermission
source = send-as-grant | O | the connector alternative: the fix-issues article cited for send-as-error
source = send-as-grant | X | cmdlet form: Microsoft365DSC EXORecipientPermission (Identity, Trustee, AccessRights SendAs)
source = send-as-grant | X | https://microsoft.github.io/Microsoft365DSC/resources/exchange/EXORecipientPermission/

unauthenticated-from = send-unaligned
source = unauthenticated-from | O | dkim-configure page: custom domains are not DKIM-signed until DKIM is configured

# What the customer sets up at Microsoft 365 when only it can fix it.
action-dkim = publish the two CNAMEs that Get-DkimSigningConfig -Identity {domain} shows
action-dkim = (Selector1CNAME, Selector2CNAME), then turn on DKIM signing for {domain}
action-dkim = in the Microsoft Defender portal or with Set-DkimSigningConfig -Identity {domain} -Enabled $true
source = action-dkim | O | https://learn.microsoft.com/defender-office-365/email-authentication-dkim-configure
