"""What every community shares: configuration, database and tenancy, accounts, mail, jobs, i18n."""
